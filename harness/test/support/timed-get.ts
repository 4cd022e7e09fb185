import { request } from 'node:http';

/** How one GET went: the bytes received, the time taken, and the socket error code if it failed. */
export interface GetOutcome {
  status?: number;
  bytes: number;
  elapsedMs: number;
  errorCode?: string;
}

/**
 * Sends one GET on a fresh connection, so every request meets the proxy's toxics from its first
 * byte, and reads the whole body. Resolves on errors too, with their code. The request sends
 * `connection: close` unless `keepAlive` is set.
 */
export function timedGet(
  url: string,
  options: { timeoutMs?: number; keepAlive?: boolean } = {},
): Promise<GetOutcome> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const headers = { connection: options.keepAlive ? 'keep-alive' : 'close' };
  const startedMs = performance.now();
  let bytes = 0;
  let status: number | undefined;
  return new Promise((resolve) => {
    const finish = (errorCode?: string) =>
      resolve({ status, bytes, elapsedMs: performance.now() - startedMs, errorCode });
    const outgoing = request(url, { agent: false, timeout: timeoutMs, headers }, (response) => {
      status = response.statusCode;
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      response.on('end', () => finish());
      response.on('error', (error: NodeJS.ErrnoException) => finish(error.code ?? error.message));
    });
    outgoing.on('timeout', () =>
      outgoing.destroy(Object.assign(new Error('timed out'), { code: 'TIMEOUT' })),
    );
    outgoing.on('error', (error: NodeJS.ErrnoException) => finish(error.code ?? error.message));
    outgoing.end();
  });
}

/** Returns the median of a list of numbers. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
