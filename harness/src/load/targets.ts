import { Pool } from 'undici';
import { UsageError } from '../errors.ts';

/** Hosts the generator may send load to: the loopback interface only. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Parses a target's base URL and rejects any host outside loopback, so a mistyped endpoint can
 * never aim load at another machine.
 */
export function loopbackUrl(target: string, baseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new UsageError(`load target "${target}": invalid base URL "${baseUrl}"`);
  }
  if (url.protocol !== 'http:') {
    throw new UsageError(`load target "${target}": ${baseUrl} must use http://`);
  }
  if (!LOOPBACK_HOSTS.has(url.hostname)) {
    throw new UsageError(
      `load target "${target}": host "${url.hostname}" is not loopback; ` +
        'load goes only to 127.0.0.1, localhost or ::1',
    );
  }
  return url;
}

/**
 * Connections per target. Requests beyond them wait in undici's queue, still counted as in
 * flight, and their latency still counts from the scheduled time. Fewer sockets spare the target
 * the cost of opening one per burst.
 */
export const MAX_CONNECTIONS_PER_TARGET = 32;

/** One undici pool per target, checked for loopback before any connection is opened. */
export class TargetPools {
  private readonly pools = new Map<string, Pool>();
  private readonly basePaths = new Map<string, string>();

  constructor(
    targets: Readonly<Record<string, string>>,
    names: Iterable<string>,
    connections: number,
  ) {
    for (const name of new Set(names)) {
      const baseUrl = targets[name];
      if (baseUrl === undefined) {
        const known = Object.keys(targets).join(', ') || 'none';
        throw new UsageError(`load target "${name}" has no URL; known targets: ${known}`);
      }
      const url = loopbackUrl(name, baseUrl);
      this.pools.set(
        name,
        new Pool(url.origin, {
          connections: Math.min(connections, MAX_CONNECTIONS_PER_TARGET),
          pipelining: 1,
        }),
      );
      this.basePaths.set(name, url.pathname.replace(/\/$/, ''));
    }
  }

  pool(name: string): Pool {
    const pool = this.pools.get(name);
    if (!pool) throw new Error(`no pool for load target "${name}"`);
    return pool;
  }

  /** Joins the target's base path (if its URL has one) and a request path. */
  path(name: string, requestPath: string): string {
    return `${this.basePaths.get(name) ?? ''}${requestPath}`;
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.destroy()));
  }
}
