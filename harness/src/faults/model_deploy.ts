import { z } from 'zod';
import { monotonicNowMs } from '../../../common/src/clock.ts';
import { guardFault, waitFor } from './guard.ts';
import { DEFAULT_CONFIRM_TIMEOUT_MS, type FaultContext, type FaultKind } from './types.ts';

const paramsSchema = z.strictObject({
  /** Model version to deploy, as the model service lists it in `available`. */
  version: z.string().min(1, { error: 'required: a model version such as v2-skew' }),
});

/** State of the model service, as `GET /admin/model` returns it. */
interface ModelState {
  active: string;
  previous: string | null;
  available: string[];
}

/**
 * Deploys another model version through the model service's admin API, as a bad release would.
 * The revert deploys the version that was active before, read just ahead of the deploy.
 */
export const model_deploy: FaultKind<typeof paramsSchema> = {
  kind: 'model_deploy',
  targetType: 'component',
  description: 'deploy another model version (such as v2-skew) through the admin API',
  paramsSchema,
  rejectComponent: (component) =>
    component.type === 'node' && component.admin === true
      ? undefined
      : 'needs a node service with admin endpoints (admin: true)',
  create(spec, context) {
    const service = spec.target;
    const logger = context.logger.child({ fault: spec.name, kind: spec.kind, service });
    let previousVersion: string | undefined;

    return guardFault(spec, {
      async apply(signal) {
        const admin = modelAdmin(context, service);
        const before = await admin.read(signal);
        if (!before.available.includes(spec.params.version)) {
          throw new Error(
            `model version "${spec.params.version}" is not available on ${service}; available: ${before.available.join(', ')}`,
          );
        }
        previousVersion ??= before.active;
        signal.throwIfAborted();
        await admin.deploy(spec.params.version);
        await admin.waitActive(spec.params.version, signal);
        const injectedAtMs = monotonicNowMs();
        logger.info({ version: spec.params.version, previous: before.active }, 'model deployed');
        return {
          injectedAtMs,
          detail: { service, version: spec.params.version, previous: before.active },
        };
      },
      async undo() {
        if (previousVersion === undefined) return;
        const admin = modelAdmin(context, service);
        const now = await admin.read();
        if (now.active === previousVersion) return;
        await admin.deploy(previousVersion);
        await admin.waitActive(previousVersion);
        logger.info({ version: previousVersion, replaced: now.active }, 'model version restored');
      },
    });
  },
};

/** Client for the model service's admin API, on its direct address so no toxic gets in the way. */
function modelAdmin(context: FaultContext, service: string) {
  const endpoint = context.endpoints.components[service];
  if (!endpoint) throw new Error(`no endpoint for component "${service}" in the running stack`);
  const headers = { authorization: `Bearer ${context.endpoints.adminToken}` };
  const timeoutMs = context.confirmTimeoutMs ?? DEFAULT_CONFIRM_TIMEOUT_MS;

  const request = async (
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    signal?: AbortSignal,
  ) => {
    const response = await fetch(new URL(path, endpoint.url), {
      method,
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: signal
        ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)])
        : AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    if (!response.ok) {
      throw new Error(
        `${method} ${path} on ${service} failed with status ${response.status}: ${text.slice(0, 200)}`,
      );
    }
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  };

  const read = async (signal?: AbortSignal) =>
    (await request('GET', '/admin/model', undefined, signal)) as ModelState;
  return {
    read,
    /**
     * Takes no abort signal: a deploy cut off mid-request may still land after a revert has read
     * the active version, so it always runs until its response or its timeout.
     */
    deploy: (version: string) => request('POST', '/admin/deploy', { version }),
    waitActive: (version: string, signal?: AbortSignal) => {
      let last: string | undefined;
      return waitFor(
        async () => {
          last = (await read(signal)).active;
          return last === version ? true : undefined;
        },
        {
          timeoutMs,
          signal,
          describe: () => `${service} reports model ${last} active, expected ${version}`,
        },
      );
    },
  };
}
