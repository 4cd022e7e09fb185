/** Reading a service's settings from its environment, with errors that name the variable. */

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(
      `environment variable ${name} is missing; the runtime sets it from the topology`,
    );
  }
  return value;
}

/** Reads a non-negative integer from the environment, or returns the fallback when it is unset. */
export function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`environment variable ${name} must be a non-negative integer, got "${raw}"`);
  }
  return value;
}

/** Returns the address a service listens on: HOST (default 127.0.0.1) and PORT (required). */
export function listenAddress(): { host: string; port: number } {
  const host = process.env.HOST || '127.0.0.1';
  const port = Number(requireEnv('PORT'));
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`environment variable PORT must be a port number, got "${process.env.PORT}"`);
  }
  return { host, port };
}
