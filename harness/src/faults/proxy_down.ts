import type { Toxiproxy } from 'toxiproxy-node-client';
import { z } from 'zod';
import { monotonicNowMs } from '../../../common/src/clock.ts';
import { guardFault } from './guard.ts';
import { isNotFound } from './toxic.ts';
import type { FaultKind } from './types.ts';

const paramsSchema = z.strictObject({});

/**
 * Disables an edge's proxy: Toxiproxy closes its listener and open connections, so the client
 * sees connection refused, as if the dependency were down.
 */
export const proxy_down: FaultKind<typeof paramsSchema> = {
  kind: 'proxy_down',
  targetType: 'edge',
  description: 'disable the proxy of an edge so connections are refused',
  paramsSchema,
  create(spec, context) {
    const logger = context.logger.child({ fault: spec.name, kind: spec.kind, proxy: spec.target });

    return guardFault(spec, {
      async apply(signal) {
        const proxy = await context.toxiproxy.get(spec.target);
        signal.throwIfAborted();
        await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
        const stored = await context.toxiproxy.get(spec.target);
        if (stored.enabled) throw new Error(`Toxiproxy still reports proxy ${spec.target} enabled`);
        const injectedAtMs = monotonicNowMs();
        logger.info('proxy disabled');
        return { injectedAtMs, detail: { proxy: spec.target, enabled: false } };
      },
      async undo() {
        if (await enableProxy(context.toxiproxy, spec.target)) logger.info('proxy enabled');
      },
    });
  },
};

/** Enables a proxy if it is disabled. Returns whether it changed; a missing proxy counts as no change. */
async function enableProxy(toxiproxy: Toxiproxy, name: string): Promise<boolean> {
  try {
    const proxy = await toxiproxy.get(name);
    if (proxy.enabled) return false;
    await proxy.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
    const stored = await toxiproxy.get(name);
    if (!stored.enabled) throw new Error(`Toxiproxy still reports proxy ${name} disabled`);
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}
