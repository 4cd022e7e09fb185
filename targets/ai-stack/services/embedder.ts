// The embedder: turns texts into fixed-size vectors for the vector store and the model, with an
// LRU cache keyed by the SHA-256 of the text.
import { createHash } from 'node:crypto';
import { Counter, Gauge } from 'prom-client';
import { z } from 'zod';
import { createLogger } from '../../../common/src/log.ts';
import { EMBEDDING_DIMENSIONS, embed, FEATURE_VERSION } from '../lib/embedding.ts';
import { intEnv, listenAddress } from '../lib/env.ts';
import { LruCache } from '../lib/lru.ts';
import { createMetrics } from '../lib/metrics.ts';
import { parseBody, runService, startService } from '../lib/service.ts';

const MAX_TEXTS_PER_REQUEST = 256;

const embedRequest = z.union([
  z.strictObject({ text: z.string() }),
  z.strictObject({ texts: z.array(z.string()).min(1).max(MAX_TEXTS_PER_REQUEST) }),
]);

const logger = createLogger('embedder');

runService(logger, async () => {
  const metrics = createMetrics('embedder');
  const cache = new LruCache<string, number[]>(intEnv('EMBEDDER_CACHE_ENTRIES', 4_096));
  const lookups = new Counter({
    name: 'embedder_cache_lookups_total',
    help: 'Embedding cache lookups, by result: hit or miss.',
    labelNames: ['result'],
    registers: [metrics.registry],
  });
  const cacheSize = new Gauge({
    name: 'embedder_cache_entries',
    help: 'Embeddings held in the LRU cache.',
    registers: [metrics.registry],
    collect() {
      this.set(cache.size);
    },
  });
  void cacheSize;

  const embedCached = (text: string): number[] => {
    const key = createHash('sha256').update(text).digest('base64');
    const cached = cache.get(key);
    lookups.inc({ result: cached ? 'hit' : 'miss' });
    if (cached) return cached;
    const vector = embed(text);
    cache.set(key, vector);
    return vector;
  };

  const service = await startService({
    name: 'embedder',
    ...listenAddress(),
    metrics,
    logger,
    adminToken: process.env.ADMIN_TOKEN,
    readiness: {},
    routes: [
      {
        method: 'POST',
        path: '/embed',
        handler: (body) => {
          const request = parseBody(embedRequest, body);
          const texts = 'text' in request ? [request.text] : request.texts;
          const embeddings = texts.map(embedCached);
          return {
            status: 200,
            body: { embeddings, dimensions: EMBEDDING_DIMENSIONS, features: FEATURE_VERSION },
          };
        },
      },
      {
        method: 'POST',
        path: '/admin/cache/clear',
        admin: true,
        handler: () => {
          const cleared = cache.size;
          cache.clear();
          logger.info({ cleared }, 'embedding cache cleared');
          return { status: 200, body: { cleared } };
        },
      },
    ],
  });
  return service.close;
});
