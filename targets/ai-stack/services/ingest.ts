// The ingest service: accepts messages over HTTP and acknowledges each one only after it is in the
// Redis stream that the indexer consumes. Posting the same id again is safe: the message is queued
// once and the response marks it as a duplicate.
import { Counter } from 'prom-client';
import { z } from 'zod';
import { createLogger } from '../../../common/src/log.ts';
import { listenAddress, requireEnv } from '../lib/env.ts';
import { createMetrics } from '../lib/metrics.ts';
import { connectRedis, pingRedis, SEEN_KEY_PREFIX, STREAM_KEY } from '../lib/redis.ts';
import { Dependency, defaultDependencyOptions } from '../lib/resilience/dependency.ts';
import { parseBody, runService, startService } from '../lib/service.ts';

const messageRequest = z.strictObject({
  id: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[A-Za-z0-9._:-]+$/, { error: 'use letters, digits and . _ : - only' }),
  text: z.string().max(200_000),
  label: z.enum(['spam', 'ham']).optional(),
});

// Marks the id as seen and appends the message in one atomic step, so a message is either queued
// with its marker or not at all. The marker contains the stream entry id, and a repeated id
// makes the script return 0.
// TODO: trim acknowledged entries (XTRIM MINID) once runs last long enough for the stream's
// memory to matter; nothing removes entries or markers today.
const ENQUEUE_ONCE = `
if redis.call('SET', KEYS[1], '', 'NX') then
  local entry = redis.call('XADD', KEYS[2], '*', 'id', ARGV[1], 'text', ARGV[2], 'label', ARGV[3])
  redis.call('SET', KEYS[1], entry)
  return 1
end
return 0`;

const logger = createLogger('ingest');

runService(logger, async () => {
  const metrics = createMetrics('ingest');
  const redis = connectRedis(requireEnv('REDIS_URL'), logger, 'ingest');
  // The script is idempotent by message id, so retrying after a timeout cannot queue twice.
  const queue = new Dependency(
    'redis',
    { ...defaultDependencyOptions, timeoutMs: 1_000 },
    metrics,
    logger,
  );
  const accepted = new Counter({
    name: 'ingest_messages_total',
    help: 'Messages acknowledged, by result: queued or duplicate.',
    labelNames: ['result'],
    registers: [metrics.registry],
  });

  const enqueue = async (body: unknown) => {
    const message = parseBody(messageRequest, body);
    const queued = await queue.call(async () => {
      if (!redis.isReady) throw new Error('not connected to Redis');
      return redis.eval(ENQUEUE_ONCE, {
        keys: [`${SEEN_KEY_PREFIX}${message.id}`, STREAM_KEY],
        arguments: [message.id, message.text, message.label ?? ''],
      });
    });
    const duplicate = queued !== 1;
    accepted.inc({ result: duplicate ? 'duplicate' : 'queued' });
    return { status: 202, body: { id: message.id, acknowledged: true, duplicate } };
  };

  const service = await startService({
    name: 'ingest',
    ...listenAddress(),
    metrics,
    logger,
    readiness: { redis: () => pingRedis(redis) },
    routes: [{ method: 'POST', path: '/v1/messages', handler: enqueue }],
  });
  return async () => {
    await service.close();
    await redis.close().catch(() => {});
  };
});
