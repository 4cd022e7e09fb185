import type { Logger } from '../../../common/src/log.ts';
import type { ComponentStatus, Runtime } from '../runtime/types.ts';
import { waitFor } from './guard.ts';
import { DEFAULT_CONFIRM_TIMEOUT_MS, type FaultContext } from './types.ts';

/** Returns the runtime's current status of one component, and throws when the runtime does not know it. */
export async function componentStatus(
  runtime: Runtime,
  component: string,
): Promise<ComponentStatus> {
  const status = await findStatus(runtime, component);
  if (!status)
    throw new Error(`the ${runtime.name} runtime runs no component named "${component}"`);
  return status;
}

async function findStatus(runtime: Runtime, component: string) {
  const statuses = await runtime.status();
  return statuses.find((status) => status.name === component);
}

/**
 * Returns the component's status before a process fault acts on it, and throws unless the
 * component is running, because a fault on a stopped or paused process would prove nothing.
 */
export async function runningStatus(
  runtime: Runtime,
  component: string,
  action: string,
  signal: AbortSignal,
): Promise<ComponentStatus> {
  const status = await componentStatus(runtime, component);
  if (status.state !== 'running') {
    throw new Error(`cannot ${action} ${component}: it is ${status.state}, not running`);
  }
  signal.throwIfAborted();
  return status;
}

/** Polls the runtime until `accept` returns true for the component's status, and returns that status. */
export function waitForStatus(
  context: FaultContext,
  component: string,
  expected: string,
  accept: (status: ComponentStatus) => boolean,
  signal?: AbortSignal,
): Promise<ComponentStatus> {
  let last: ComponentStatus | undefined;
  return waitFor(
    async () => {
      last = await componentStatus(context.runtime, component);
      return accept(last) ? last : undefined;
    },
    {
      timeoutMs: context.confirmTimeoutMs ?? DEFAULT_CONFIRM_TIMEOUT_MS,
      signal,
      describe: () =>
        `${component} is ${last?.state ?? 'unknown'} (pid ${last?.pid}), expected ${expected}`,
    },
  );
}

/**
 * Makes sure a component runs: resumes it when paused, starts it when stopped or exited, and
 * leaves it alone when it runs or is starting, because the healer may have restarted it already.
 * Returns what it did. A component the runtime does not know needs nothing.
 */
export async function ensureRunning(
  context: FaultContext,
  component: string,
): Promise<'resumed' | 'started' | undefined> {
  const status = await findStatus(context.runtime, component);
  if (!status) return undefined;
  if (status.state === 'paused') {
    await context.runtime.resume(component);
    return 'resumed';
  }
  if (status.state === 'stopped' || status.state === 'exited') {
    await context.runtime.startComponent(component);
    return 'started';
  }
  return undefined;
}

/** Returns whether a status shows a process other than `pid`, or none, so the process `pid` is gone. */
export function isGone(status: ComponentStatus, pid: number | undefined): boolean {
  return status.state === 'stopped' || status.state === 'exited' || status.pid !== pid;
}

/** Reverts a process fault by making sure the component runs again, and logs what that took. */
export async function restoreRunning(
  context: FaultContext,
  component: string,
  logger: Logger,
): Promise<void> {
  const action = await ensureRunning(context, component);
  if (action) logger.info({ action }, 'component running again');
}
