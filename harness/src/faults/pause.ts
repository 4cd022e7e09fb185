import { z } from 'zod';
import { monotonicNowMs } from '../../../common/src/clock.ts';
import { guardFault } from './guard.ts';
import { componentStatus, runningStatus, waitForStatus } from './process.ts';
import type { FaultKind } from './types.ts';

const paramsSchema = z.strictObject({});

/**
 * Freezes a component's process (SIGSTOP, or `docker pause`): it keeps its sockets open but
 * serves no requests, which looks like a hang rather than a crash. The revert resumes it if it is
 * still paused.
 */
export const pause: FaultKind<typeof paramsSchema> = {
  kind: 'pause',
  targetType: 'component',
  description: 'freeze the process of a component (SIGSTOP) so it hangs',
  paramsSchema,
  create(spec, context) {
    const component = spec.target;
    const logger = context.logger.child({ fault: spec.name, kind: spec.kind, service: component });

    return guardFault(spec, {
      async apply(signal) {
        await runningStatus(context.runtime, component, 'pause', signal);
        await context.runtime.pause(component);
        const after = await waitForStatus(
          context,
          component,
          'paused',
          (status) => status.state === 'paused',
          signal,
        );
        const injectedAtMs = monotonicNowMs();
        logger.info({ pid: after.pid }, 'process paused');
        return { injectedAtMs, detail: { component, pid: after.pid, state: after.state } };
      },
      async undo() {
        const status = await componentStatus(context.runtime, component).catch(() => undefined);
        if (status?.state !== 'paused') return;
        await context.runtime.resume(component);
        logger.info({ pid: status.pid }, 'process resumed');
      },
    });
  },
};
