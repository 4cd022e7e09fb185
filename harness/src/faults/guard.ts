import type { Fault, FaultSpec, InjectResult } from './types.ts';

interface FaultSteps {
  /** Applies the fault and waits for its confirmation. Checks the signal between steps. */
  apply(signal: AbortSignal): Promise<InjectResult>;
  /** Undoes whatever part of the fault is in effect now. Must be safe to run when nothing is. */
  undo(): Promise<void>;
}

/**
 * Wraps a fault's steps into a `Fault` whose revert is safe at any moment. The revert waits for an
 * `inject` still in flight to settle before undoing, so a request that lands after an abort is
 * still reverted. Concurrent reverts run one after the other.
 */
export function guardFault(
  spec: Pick<FaultSpec<unknown>, 'name' | 'kind' | 'target'>,
  steps: FaultSteps,
): Fault {
  let applying: Promise<unknown> = Promise.resolve();
  let reverting: Promise<void> = Promise.resolve();

  return {
    name: spec.name,
    kind: spec.kind,
    target: spec.target,
    async inject(signal) {
      signal.throwIfAborted();
      const result = steps.apply(signal);
      applying = result.catch(() => undefined);
      return await result;
    },
    revert() {
      const run = reverting.then(async () => {
        await applying;
        await steps.undo();
      });
      reverting = run.catch(() => undefined);
      return run;
    },
  };
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Polls `check` every `intervalMs` until it returns a value other than undefined, and returns that.
 * Rejects with `describe()` once `timeoutMs` passes, or with the signal's reason when it aborts.
 */
export async function waitFor<T>(
  check: () => Promise<T | undefined>,
  options: { timeoutMs: number; intervalMs?: number; signal?: AbortSignal; describe: () => string },
): Promise<T> {
  const deadline = performance.now() + options.timeoutMs;
  for (;;) {
    options.signal?.throwIfAborted();
    const value = await check();
    if (value !== undefined) return value;
    if (performance.now() >= deadline) {
      throw new Error(`timed out after ${options.timeoutMs} ms: ${options.describe()}`);
    }
    await sleep(options.intervalMs ?? 50, options.signal);
  }
}
