// The inference gateway: POST /v1/classify embeds the text, looks up its nearest labelled
// neighbours in PostgreSQL and requests the label from the model service. The label and confidence come
// from the model alone; the neighbours are returned as evidence (the most similar labelled
// messages), so `no-neighbours` mode loses the evidence but not the accuracy.
import type pg from 'pg';
import { Counter, Gauge } from 'prom-client';
import { z } from 'zod';
import { createLogger } from '../../../common/src/log.ts';
import { DEGRADED_MODES, DegradedModes } from '../lib/degraded.ts';
import { DependencyProbe } from '../lib/dependency-probe.ts';
import { intEnv, listenAddress, requireEnv } from '../lib/env.ts';
import { getJson, postJson } from '../lib/http-client.ts';
import { createMetrics } from '../lib/metrics.ts';
import { Dependency, defaultDependencyOptions } from '../lib/resilience/dependency.ts';
import { HttpError, parseBody, ReadinessError, runService, startService } from '../lib/service.ts';
import {
  createPool,
  ensureSchema,
  lookupDocuments,
  nearestNeighbours,
  pingStore,
} from '../lib/store.ts';

const classifyRequest = z.strictObject({ text: z.string().max(200_000) });
const lookupRequest = z.strictObject({ ids: z.array(z.string()).min(1).max(10_000) });
const degradedRequest = z.strictObject({
  mode: z.enum(DEGRADED_MODES),
  enabled: z.boolean(),
  /** Share of classify requests that `shed-load` rejects, in [0, 1]. */
  ratio: z.number().min(0).max(1).optional(),
});

interface Prediction {
  label: 'spam' | 'ham';
  score: number;
  modelVersion: string;
}

const logger = createLogger('gateway');

runService(logger, async () => {
  const metrics = createMetrics('gateway');
  const embedderUrl = requireEnv('EMBEDDER_URL');
  const modelUrl = requireEnv('MODEL_URL');
  const pool = createPool(requireEnv('DATABASE_URL'), logger);
  const neighboursK = intEnv('GATEWAY_NEIGHBOURS', 5);
  const options = {
    ...defaultDependencyOptions,
    timeoutMs: intEnv('GATEWAY_DEPENDENCY_TIMEOUT_MS', 1_000),
  };
  const embedder = new Dependency('embedder', options, metrics, logger);
  const model = new Dependency('model', options, metrics, logger);
  const store = new Dependency('postgres', options, metrics, logger);
  const modes = new DegradedModes();
  const storeProbe = startStoreProbe(requireEnv('DATABASE_URL'));
  const gauges = gatewayMetrics(metrics.registry, modes, [storeProbe]);
  const schema = lazySchema(pool);

  const classify = async (body: unknown) => {
    const { text } = parseBody(classifyRequest, body);
    if (modes.shouldShed()) {
      gauges.shed.inc();
      throw new HttpError(503, 'request shed: the gateway is in shed-load mode; retry later', {
        retryable: true,
        degraded: modes.active(),
      });
    }
    const { embeddings } = await embedder.call((signal) =>
      postJson<{ embeddings: number[][] }>(embedderUrl, '/embed', { text }, signal),
    );
    const embedding = embeddings[0] ?? [];
    const neighbours = modes.isOn('no-neighbours')
      ? []
      : await store.call(async () => {
          await schema();
          return nearestNeighbours(pool, embedding, neighboursK);
        });
    const version = modes.isOn('previous-model') ? 'previous' : undefined;
    const prediction = await model.call((signal) =>
      postJson<Prediction>(modelUrl, '/predict', { embedding, version }, signal),
    );
    return {
      status: 200,
      body: {
        label: prediction.label,
        confidence: prediction.label === 'spam' ? prediction.score : 1 - prediction.score,
        neighbours: neighbours.map((neighbour) => neighbour.id),
        modelVersion: prediction.modelVersion,
        degraded: modes.active(),
      },
    };
  };

  const lookup = async (body: unknown) => {
    const { ids } = parseBody(lookupRequest, body);
    const result = await store.call(async () => {
      await schema();
      return lookupDocuments(pool, ids);
    });
    return { status: 200, body: result };
  };

  const setMode = (body: unknown) => {
    const request = parseBody(degradedRequest, body);
    modes.set(request.mode, request.enabled, request.ratio);
    logger.warn(
      { mode: request.mode, enabled: request.enabled, ratio: request.ratio },
      'degraded mode switched',
    );
    return { status: 200, body: { modes: modes.describe(), active: modes.active() } };
  };

  const service = await startService({
    name: 'gateway',
    ...listenAddress(),
    metrics,
    logger,
    adminToken: process.env.ADMIN_TOKEN,
    readiness: {
      embedder: async () => {
        await getJson(embedderUrl, '/healthz', AbortSignal.timeout(1_000));
      },
      model: async () => {
        await getJson(modelUrl, '/healthz', AbortSignal.timeout(1_000));
      },
      // Reports the background probe instead of querying, so readiness stays cheap and shows the
      // store's latency in every mode. With no-neighbours on, the gateway serves without
      // PostgreSQL, so the store does not gate readiness then.
      postgres: async () => {
        const status = await storeProbe.settled();
        if (!status.ok && !modes.isOn('no-neighbours'))
          throw new ReadinessError(`PostgreSQL probe failed: ${status.error}`, { ...status });
        return { ...status };
      },
    },
    routes: [
      { method: 'POST', path: '/v1/classify', handler: classify },
      { method: 'POST', path: '/v1/documents/lookup', handler: lookup },
      {
        method: 'GET',
        path: '/admin/degraded',
        admin: true,
        handler: () => ({ status: 200, body: { modes: modes.describe(), active: modes.active() } }),
      },
      { method: 'POST', path: '/admin/degraded', admin: true, handler: setMode },
    ],
  });
  return async () => {
    await service.close();
    await storeProbe.stop();
    await Promise.all([pool.end().catch(() => {}), storeProbe.pool.end().catch(() => {})]);
  };
});

/**
 * Probes PostgreSQL every `GATEWAY_STORE_PROBE_INTERVAL_MS` (500 ms by default) on a connection
 * of its own through the same proxy as the queries. Its latency is then the store's, not the wait
 * for a busy pool, and it is still measured while no-neighbours mode sends no queries.
 */
function startStoreProbe(databaseUrl: string): DependencyProbe & { pool: pg.Pool } {
  const timeoutMs = intEnv('GATEWAY_STORE_PROBE_TIMEOUT_MS', 2_000);
  const probePool = createPool(databaseUrl, logger, { max: 1, queryTimeoutMs: timeoutMs });
  const probe = new DependencyProbe(
    'postgres',
    () => pingStore(probePool),
    { intervalMs: intEnv('GATEWAY_STORE_PROBE_INTERVAL_MS', 500), timeoutMs },
    logger,
  );
  probe.start();
  return Object.assign(probe, { pool: probePool });
}

/** Creates the schema on first use; a failure is retried on the next call. */
function lazySchema(pool: pg.Pool): () => Promise<void> {
  let ready: Promise<void> | undefined;
  return () => {
    ready ??= ensureSchema(pool).catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    return ready;
  };
}

function gatewayMetrics(
  registry: ReturnType<typeof createMetrics>['registry'],
  modes: DegradedModes,
  probes: DependencyProbe[],
) {
  const registers = [registry];
  new Gauge({
    name: 'gateway_dependency_probe_latency_seconds',
    help: 'Latency of the background probe of a dependency: the last finished check, or the one in flight when it takes longer.',
    labelNames: ['dependency'],
    registers,
    collect() {
      for (const probe of probes)
        this.set({ dependency: probe.dependency }, probe.latencyMs() / 1_000);
    },
  });
  new Gauge({
    name: 'gateway_dependency_probe_up',
    help: 'Whether the last background probe of a dependency succeeded: 1 yes, 0 no.',
    labelNames: ['dependency'],
    registers,
    collect() {
      for (const probe of probes)
        this.set({ dependency: probe.dependency }, probe.status().ok ? 1 : 0);
    },
  });
  new Gauge({
    name: 'gateway_degraded_mode',
    help: 'Degraded mode switches: 1 on, 0 off.',
    labelNames: ['mode'],
    registers,
    collect() {
      for (const mode of DEGRADED_MODES) this.set({ mode }, modes.isOn(mode) ? 1 : 0);
    },
  });
  return {
    shed: new Counter({
      name: 'gateway_shed_requests_total',
      help: 'Classify requests rejected by shed-load mode.',
      registers,
    }),
  };
}
