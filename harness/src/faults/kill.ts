import { z } from 'zod';
import { monotonicNowMs } from '../../../common/src/clock.ts';
import { guardFault } from './guard.ts';
import { isGone, restoreRunning, runningStatus, waitForStatus } from './process.ts';
import type { FaultKind } from './types.ts';

/** Signals that end a process. SIGSTOP and SIGCONT belong to the `pause` fault. */
const KILL_SIGNALS = ['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP', 'SIGABRT'] as const;

const paramsSchema = z.strictObject({
  signal: z.enum(KILL_SIGNALS).default('SIGKILL'),
});

/**
 * Kills a component's process. It counts as injected once the runtime reports that process gone.
 * The revert starts the component again unless it already runs, because the healer may have
 * restarted it in the meantime.
 */
export const kill: FaultKind<typeof paramsSchema> = {
  kind: 'kill',
  targetType: 'component',
  description: 'kill the process of a component (default SIGKILL)',
  paramsSchema,
  create(spec, context) {
    const component = spec.target;
    const logger = context.logger.child({ fault: spec.name, kind: spec.kind, service: component });

    return guardFault(spec, {
      async apply(signal) {
        const before = await runningStatus(context.runtime, component, 'kill', signal);
        if (before.pid === undefined) throw new Error(`cannot kill ${component}: it has no pid`);
        await context.runtime.kill(component, spec.params.signal);
        const after = await waitForStatus(
          context,
          component,
          `process ${before.pid} gone`,
          (status) => isGone(status, before.pid),
          signal,
        );
        const injectedAtMs = monotonicNowMs();
        logger.info(
          { pid: before.pid, signal: spec.params.signal, state: after.state },
          'process killed',
        );
        return {
          injectedAtMs,
          detail: { component, pid: before.pid, signal: spec.params.signal, state: after.state },
        };
      },
      undo: () => restoreRunning(context, component, logger),
    });
  },
};
