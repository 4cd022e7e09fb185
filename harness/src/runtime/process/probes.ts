import { connect } from 'node:net';
import pg from 'pg';
import { loopback, postgresUser } from './env.ts';

/**
 * Single health probes. Each resolves when the component answers and rejects with the reason
 * otherwise; callers repeat them until a deadline. Every probe has its own timeout, because a
 * paused process accepts connections (the kernel does) but never answers.
 */

export const probeTimeoutMs = 1_000;

/** Sends `PING` over RESP and expects `+PONG`. */
export function probeRedis(port: number, timeoutMs = probeTimeoutMs): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: loopback, port });
    let received = '';
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(timeoutMs, () =>
      fail(new Error(`redis on port ${port}: no PONG within ${timeoutMs} ms`)),
    );
    socket.once('error', fail);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (!received.includes('\r\n')) return;
      socket.destroy();
      if (received.startsWith('+PONG')) resolve();
      else reject(new Error(`redis on port ${port} answered ${JSON.stringify(received.trim())}`));
    });
  });
}

/** Connects to the `postgres` database and runs `SELECT 1`. */
export async function probePostgres(port: number, timeoutMs = probeTimeoutMs): Promise<void> {
  const client = new pg.Client({
    host: loopback,
    port,
    user: postgresUser,
    database: 'postgres',
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
  });
  // A connection that fails late emits 'error' on the client; the rejected promise carries it.
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => {});
  }
}

/** Sends GET to `url` and expects status 200. */
export async function probeHttp(url: string, timeoutMs = probeTimeoutMs): Promise<void> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  await response.body?.cancel();
  if (response.status !== 200) throw new Error(`GET ${url} returned ${response.status}`);
}

/** Whether a TCP connection to `port` on loopback is accepted. */
export function acceptsConnections(port: number, timeoutMs = probeTimeoutMs): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: loopback, port });
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
