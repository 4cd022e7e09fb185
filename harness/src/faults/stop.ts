import { z } from 'zod';
import { monotonicNowMs } from '../../../common/src/clock.ts';
import { guardFault } from './guard.ts';
import { restoreRunning, runningStatus, waitForStatus } from './process.ts';
import type { FaultKind } from './types.ts';

const paramsSchema = z.strictObject({});

/**
 * Stops a component the way its platform does (SIGTERM, then SIGKILL after a grace period), as a
 * deploy or a scale-down would. The revert starts it again unless it already runs.
 */
export const stop: FaultKind<typeof paramsSchema> = {
  kind: 'stop',
  targetType: 'component',
  description: 'stop a component gracefully; the revert starts it again',
  paramsSchema,
  create(spec, context) {
    const component = spec.target;
    const logger = context.logger.child({ fault: spec.name, kind: spec.kind, service: component });

    return guardFault(spec, {
      async apply(signal) {
        const before = await runningStatus(context.runtime, component, 'stop', signal);
        await context.runtime.stopComponent(component);
        const after = await waitForStatus(
          context,
          component,
          'stopped',
          (status) => status.state === 'stopped' || status.state === 'exited',
          signal,
        );
        const injectedAtMs = monotonicNowMs();
        logger.info({ pid: before.pid }, 'component stopped');
        return { injectedAtMs, detail: { component, pid: before.pid, state: after.state } };
      },
      undo: () => restoreRunning(context, component, logger),
    });
  },
};
