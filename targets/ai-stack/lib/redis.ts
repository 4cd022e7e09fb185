import { createClient, type RedisClientType } from 'redis';
import type { Logger } from '../../../common/src/log.ts';

/** The ingestion stream, its consumer group, and the prefix of the per-message idempotency keys. */
export const STREAM_KEY = 'rebound:messages';
export const CONSUMER_GROUP = 'indexers';
export const SEEN_KEY_PREFIX = 'rebound:seen:';

export type Redis = RedisClientType;

/**
 * Creates a Redis client that fails commands at once while disconnected (instead of queueing them
 * until Redis returns) and reconnects by itself with a capped backoff. It starts connecting in the
 * background, so a service can start while Redis is down and become ready when it returns.
 */
export function connectRedis(url: string, logger: Logger, name: string): Redis {
  let failures = 0;
  const client = createClient({
    url,
    name,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 2_000,
      reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 1_000),
    },
  }) as Redis;
  client.on('error', (error: Error) => {
    failures++;
    // One line per ten failures: a Redis outage retries about once a second.
    if (failures % 10 === 1)
      logger.warn({ err: error, dependency: 'redis', failures }, 'Redis connection error');
  });
  client.on('ready', () => {
    if (failures > 0) logger.info({ dependency: 'redis', failures }, 'Redis connection restored');
    failures = 0;
  });
  client
    .connect()
    .catch((error: unknown) =>
      logger.warn({ err: error, dependency: 'redis' }, 'Redis connect failed'),
    );
  return client;
}

export async function pingRedis(client: Redis): Promise<void> {
  if (!client.isReady) throw new Error('Redis is not connected');
  await client.ping();
}
