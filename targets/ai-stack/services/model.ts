// The model service: serves spam/ham classifier versions from the model registry folder, with
// admin endpoints to deploy a version and roll back to the previous one.
import { join } from 'node:path';
import { Counter, Gauge } from 'prom-client';
import { z } from 'zod';
import { createLogger } from '../../../common/src/log.ts';
import { predictSpam } from '../lib/classifier.ts';
import { listenAddress, requireEnv } from '../lib/env.ts';
import { createMetrics } from '../lib/metrics.ts';
import { type DeployState, readDeployState, writeDeployState } from '../lib/model-state.ts';
import { listVersions, loadVersion, type ModelVersion } from '../lib/registry.ts';
import { HttpError, parseBody, runService, startService } from '../lib/service.ts';

const predictRequest = z.strictObject({
  embedding: z.array(z.number()).min(1),
  text: z.string().optional(),
  /** A version to use instead of the active one: a version name, or `previous`. */
  version: z.string().optional(),
});
const deployRequest = z.strictObject({ version: z.string().min(1) });

const logger = createLogger('model');

runService(logger, async () => {
  const modelDir = requireEnv('MODEL_DIR');
  const stateFile = process.env.REBOUND_RUN_DIR
    ? join(process.env.REBOUND_RUN_DIR, 'model-state.json')
    : undefined;
  const loaded = new Map<string, ModelVersion>();
  const load = (version: string): ModelVersion => {
    const cached = loaded.get(version);
    if (cached) return cached;
    if (!listVersions(modelDir).includes(version)) {
      throw new HttpError(
        404,
        `unknown model version "${version}"; available: ${listVersions(modelDir).join(', ')}`,
      );
    }
    let model: ModelVersion;
    try {
      model = loadVersion(modelDir, version);
    } catch (error) {
      throw new HttpError(
        422,
        `model version "${version}" cannot be loaded: ${(error as Error).message}`,
      );
    }
    loaded.set(version, model);
    return model;
  };

  let state: DeployState = readDeployState(stateFile) ?? {
    active: process.env.MODEL_VERSION || 'v1',
    previous: null,
  };
  load(state.active);
  logger.info({ active: state.active, previous: state.previous, modelDir }, 'model loaded');

  const metrics = createMetrics('model');
  const predictions = new Counter({
    name: 'model_predictions_total',
    help: 'Predictions served, by model version and predicted label.',
    labelNames: ['version', 'label'],
    registers: [metrics.registry],
  });
  const activeInfo = new Gauge({
    name: 'model_active_version_info',
    help: 'Always 1, labelled with the active model version.',
    labelNames: ['version'],
    registers: [metrics.registry],
  });
  const setState = (next: DeployState) => {
    writeDeployState(stateFile, next);
    activeInfo.reset();
    activeInfo.set({ version: next.active }, 1);
    state = next;
  };
  setState(state);

  const resolveVersion = (hint: string | undefined): string => {
    if (hint === undefined || hint === 'active') return state.active;
    // With no previous version, the active version serves the request, and the response names it.
    if (hint === 'previous') return state.previous ?? state.active;
    return hint;
  };

  const predict = (body: unknown) => {
    const request = parseBody(predictRequest, body);
    const version = resolveVersion(request.version);
    const model = load(version);
    if (request.embedding.length !== model.weights.dimensions) {
      throw new HttpError(
        400,
        `embedding has ${request.embedding.length} dimensions; model ${version} expects ${model.weights.dimensions}`,
      );
    }
    const score = predictSpam(model.weights, request.embedding);
    const label = score > 0.5 ? 'spam' : 'ham';
    predictions.inc({ version, label });
    return { status: 200, body: { label, score, modelVersion: version } };
  };

  const deploy = (body: unknown) => {
    const { version } = parseBody(deployRequest, body);
    load(version);
    if (version === state.active) return { status: 200, body: { ...state, changed: false } };
    const from = state.active;
    setState({ active: version, previous: from });
    logger.info({ from, to: version }, 'model deployed');
    return { status: 200, body: { ...state, changed: true } };
  };

  const rollback = () => {
    if (state.previous === null)
      throw new HttpError(409, `no previous version to roll back to; active is ${state.active}`);
    const from = state.active;
    setState({ active: state.previous, previous: from });
    logger.info({ from, to: state.active }, 'model rolled back');
    return { status: 200, body: { ...state, changed: true } };
  };

  const service = await startService({
    name: 'model',
    ...listenAddress(),
    metrics,
    logger,
    adminToken: process.env.ADMIN_TOKEN,
    readiness: {
      model: async () => {
        load(state.active);
      },
    },
    routes: [
      { method: 'POST', path: '/predict', handler: predict },
      {
        method: 'GET',
        path: '/admin/model',
        admin: true,
        handler: () => ({ status: 200, body: { ...state, available: listVersions(modelDir) } }),
      },
      { method: 'POST', path: '/admin/deploy', admin: true, handler: deploy },
      { method: 'POST', path: '/admin/rollback', admin: true, handler: rollback },
    ],
  });
  return service.close;
});
