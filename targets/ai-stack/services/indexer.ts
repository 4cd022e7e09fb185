// The indexer: a worker in the Redis consumer group of the ingestion stream. For each batch it
// embeds the texts through the embedder, writes the rows to PostgreSQL in one transaction, and
// acknowledges the entries only after the commit. Entries of a killed worker stay pending and are
// taken over: by this consumer name on restart, or by any worker through XAUTOCLAIM once idle.
import { Counter, Gauge } from 'prom-client';
import { createLogger } from '../../../common/src/log.ts';
import { intEnv, listenAddress, requireEnv } from '../lib/env.ts';
import { getJson, postJson } from '../lib/http-client.ts';
import { createMetrics } from '../lib/metrics.ts';
import { connectRedis, pingRedis, type Redis } from '../lib/redis.ts';
import { Dependency, defaultDependencyOptions, sleep } from '../lib/resilience/dependency.ts';
import { runService, startService } from '../lib/service.ts';
import { createPool, type DocumentRow, ensureSchema, insertDocuments } from '../lib/store.ts';
import {
  acknowledge,
  claimStale,
  ensureGroup,
  groupBacklog,
  readGroup,
  type StreamEntry,
} from '../lib/stream.ts';

const logger = createLogger('indexer');

const settings = {
  consumer: process.env.INDEXER_CONSUMER || 'indexer-1',
  batchSize: intEnv('INDEXER_BATCH_SIZE', 32),
  blockMs: intEnv('INDEXER_BLOCK_MS', 1_000),
  claimIdleMs: intEnv('INDEXER_CLAIM_IDLE_MS', 10_000),
  claimEveryMs: intEnv('INDEXER_CLAIM_EVERY_MS', 5_000),
};

runService(logger, async () => {
  const metrics = createMetrics('indexer');
  const embedderUrl = requireEnv('EMBEDDER_URL');
  const redis = connectRedis(requireEnv('REDIS_URL'), logger, 'indexer');
  const pool = createPool(requireEnv('DATABASE_URL'), logger);
  const embedder = new Dependency('embedder', defaultDependencyOptions, metrics, logger);
  const postgres = new Dependency(
    'postgres',
    { ...defaultDependencyOptions, timeoutMs: 5_000 },
    metrics,
    logger,
  );
  const queue = new Dependency('redis', defaultDependencyOptions, metrics, logger);
  const counters = indexerMetrics(metrics.registry);
  let schemaReady = false;

  // TODO: move entries that keep failing to a dead-letter stream. Until then, a text the embedder
  // rejects with a 4xx is retried forever and holds up the rest of its batch.
  const indexBatch = async (entries: StreamEntry[]) => {
    const valid = entries.filter((entry) => entry.fields?.id && entry.fields.text !== undefined);
    if (valid.length < entries.length)
      logger.warn(
        { skipped: entries.length - valid.length },
        'skipping stream entries without id or text',
      );
    if (valid.length > 0) {
      const texts = valid.map((entry) => entry.fields?.text ?? '');
      const { embeddings } = await embedder.call((signal) =>
        postJson<{ embeddings: number[][] }>(embedderUrl, '/embed', { texts }, signal),
      );
      const rows: DocumentRow[] = valid.map((entry, index) => ({
        id: entry.fields?.id ?? '',
        label:
          entry.fields?.label === 'spam' || entry.fields?.label === 'ham'
            ? entry.fields.label
            : null,
        embedding: embeddings[index] ?? [],
      }));
      if (!schemaReady) {
        await postgres.call(() => ensureSchema(pool));
        schemaReady = true;
      }
      await postgres.call(() => insertDocuments(pool, rows));
    }
    // Acknowledging after the commit means a crash in between indexes the batch twice, which the
    // insert ignores, instead of losing it.
    await queue.call(() =>
      acknowledge(
        redis,
        entries.map((entry) => entry.entryId),
      ),
    );
    counters.indexed.inc(valid.length);
  };

  const worker = startWorker(redis, indexBatch, counters);
  const backlogTimer = setInterval(() => {
    if (!redis.isReady) return;
    groupBacklog(redis).then(
      ({ pending, lag }) => {
        counters.pending.set(pending);
        if (lag !== null) counters.lag.set(lag);
      },
      () => {},
    );
  }, 1_000);

  const service = await startService({
    name: 'indexer',
    ...listenAddress(),
    metrics,
    logger,
    readiness: {
      redis: () => pingRedis(redis),
      postgres: async () => {
        await pool.query('SELECT 1');
      },
      embedder: async () => {
        await getJson(embedderUrl, '/healthz', AbortSignal.timeout(1_000));
      },
    },
    routes: [],
  });
  return async () => {
    clearInterval(backlogTimer);
    await worker.stop();
    await service.close();
    await Promise.allSettled([redis.close(), pool.end()]);
  };
});

function indexerMetrics(registry: ReturnType<typeof createMetrics>['registry']) {
  const registers = [registry];
  return {
    indexed: new Counter({
      name: 'indexer_indexed_total',
      help: 'Messages written to the vector store.',
      registers,
    }),
    batches: new Counter({
      name: 'indexer_batches_total',
      help: 'Batches processed, by outcome.',
      labelNames: ['outcome'],
      registers,
    }),
    pending: new Gauge({
      name: 'indexer_pending_messages',
      help: 'Entries delivered to the group and not yet acknowledged.',
      registers,
    }),
    lag: new Gauge({
      name: 'indexer_lag_messages',
      help: 'Entries in the stream not yet delivered to the group.',
      registers,
    }),
  };
}

/**
 * Runs the read, index and acknowledge loop until stopped. After a failed batch it reads this
 * consumer's pending entries again first, because reading `>` never returns them.
 */
function startWorker(
  redisForCommands: Redis,
  indexBatch: (entries: StreamEntry[]) => Promise<void>,
  counters: ReturnType<typeof indexerMetrics>,
) {
  let running = true;
  let reader = redisForCommands.duplicate() as Redis;
  reader.on('error', () => {});
  reader.connect().catch(() => {});
  let readOwnPending = true;
  let groupReady = false;
  let claimCursor = '0-0';
  let lastClaimMs = 0;
  let failures = 0;

  const next = async (): Promise<StreamEntry[]> => {
    if (readOwnPending) {
      const entries = await readGroup(
        redisForCommands,
        settings.consumer,
        '0',
        settings.batchSize,
        0,
      );
      if (entries.length === 0) readOwnPending = false;
      return entries;
    }
    if (performance.now() - lastClaimMs >= settings.claimEveryMs) {
      lastClaimMs = performance.now();
      const claimed = await claimStale(
        redisForCommands,
        settings.consumer,
        settings.claimIdleMs,
        claimCursor,
        settings.batchSize,
      );
      claimCursor = claimed.cursor;
      if (claimed.entries.length > 0) {
        logger.info({ claimed: claimed.entries.length }, 'claimed stale pending entries');
        return claimed.entries;
      }
    }
    if (!reader.isReady) {
      // The reader reconnects by itself; until then there is nothing to read.
      if (!reader.isOpen) reader.connect().catch(() => {});
      await sleep(100);
      return [];
    }
    return withDeadline(
      readGroup(reader, settings.consumer, '>', settings.batchSize, settings.blockMs),
      settings.blockMs + 2_000,
    );
  };

  const loop = async () => {
    while (running) {
      if (!redisForCommands.isReady) {
        // Not connected yet, or Redis is down: the client reconnects by itself.
        await sleep(200);
        continue;
      }
      try {
        if (!groupReady) {
          await ensureGroup(redisForCommands);
          groupReady = true;
        }
        const entries = await next();
        if (entries.length === 0) continue;
        await indexBatch(entries);
        counters.batches.inc({ outcome: 'indexed' });
        if (failures > 0) logger.info({ failures }, 'indexing resumed');
        failures = 0;
      } catch (error) {
        failures++;
        readOwnPending = true;
        counters.batches.inc({ outcome: 'failed' });
        if (String((error as Error).message).includes('NOGROUP')) groupReady = false;
        if ((error as Error).name === 'ReadDeadlineError')
          reader = replaceReader(reader, redisForCommands);
        if (failures % 10 === 1) logger.warn({ err: error, failures }, 'indexing failed; retrying');
        await sleep(Math.min(100 * failures, 1_000));
      }
    }
  };
  const done = loop();
  return {
    stop: async () => {
      running = false;
      await done;
      await reader.close().catch(() => {});
    },
  };
}

class ReadDeadlineError extends Error {
  override name = 'ReadDeadlineError';
}

/** Bounds a blocking read, which a stalled connection would otherwise hold forever. */
function withDeadline<T>(promise: Promise<T>, deadlineMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ReadDeadlineError(`stream read took longer than ${deadlineMs} ms`)),
      deadlineMs,
    );
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

function replaceReader(stalled: Redis, template: Redis): Redis {
  stalled.destroy();
  const fresh = template.duplicate() as Redis;
  fresh.on('error', () => {});
  fresh.connect().catch(() => {});
  return fresh;
}
