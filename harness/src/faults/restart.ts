import { z } from 'zod';
import { monotonicNowMs } from '../../../common/src/clock.ts';
import { guardFault } from './guard.ts';
import { componentStatus, isGone, restoreRunning, waitForStatus } from './process.ts';
import type { FaultKind } from './types.ts';

const paramsSchema = z.strictObject({});

/**
 * Restarts a component: a short outage that ends by itself. It counts as injected once the runtime
 * shows the old process gone, and `inject` resolves once a new one runs. Nothing needs undoing, so
 * the revert only makes sure the component runs, in case the restart was interrupted halfway.
 */
export const restart: FaultKind<typeof paramsSchema> = {
  kind: 'restart',
  targetType: 'component',
  description: 'restart a component (stop, then start)',
  paramsSchema,
  create(spec, context) {
    const component = spec.target;
    const logger = context.logger.child({ fault: spec.name, kind: spec.kind, service: component });

    return guardFault(spec, {
      async apply(signal) {
        const before = await componentStatus(context.runtime, component);
        signal.throwIfAborted();

        // The outage starts when the old process goes, not when the new one is up, so the
        // injection time is taken while the restart is still in progress.
        const restarting = context.runtime.restart(component);
        const goneAtMs = waitForStatus(
          context,
          component,
          `process ${before.pid} gone`,
          (status) => isGone(status, before.pid),
          signal,
        ).then(() => monotonicNowMs());
        // Both settle before `apply` does, so a revert never runs while the restart is in flight.
        const [goneResult, restartResult] = await Promise.allSettled([goneAtMs, restarting]);
        if (restartResult.status === 'rejected') throw restartResult.reason;
        if (goneResult.status === 'rejected') throw goneResult.reason;
        const injectedAtMs = goneResult.value;

        const after = await waitForStatus(
          context,
          component,
          `running with a process other than ${before.pid}`,
          (status) => status.state === 'running' && status.pid !== before.pid,
          signal,
        );
        logger.info({ oldPid: before.pid, pid: after.pid }, 'component restarted');
        return { injectedAtMs, detail: { component, oldPid: before.pid, pid: after.pid } };
      },
      undo: () => restoreRunning(context, component, logger),
    });
  },
};
