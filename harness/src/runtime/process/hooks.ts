/**
 * Tears a stack down when its owner process ends: synchronously on exit (normal end, uncaught
 * error, `process.exit`), and through the async teardown on SIGINT and SIGTERM unless another part
 * of the program listens for that signal too, in which case that part owns the shutdown.
 */
export interface TeardownHooks {
  remove(): void;
}

const exitCodes: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

export function installTeardownHooks(
  teardown: () => Promise<void>,
  teardownNow: () => void,
): TeardownHooks {
  let interrupted = false;

  const onSignal = (signal: NodeJS.Signals) => {
    if (process.listenerCount(signal) > 1) return;
    if (interrupted) {
      // A second interrupt means: stop waiting for clean shutdowns.
      teardownNow();
      process.exit(exitCodes[signal]);
    }
    interrupted = true;
    teardown().finally(() => process.exit(exitCodes[signal]));
  };

  process.on('exit', teardownNow);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    remove() {
      process.off('exit', teardownNow);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
