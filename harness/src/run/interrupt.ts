import type { Logger } from '../../../common/src/log.ts';
import { ExitCode, InterruptedError } from '../errors.ts';

/**
 * Interrupt handling of a run. The first SIGINT or SIGTERM aborts `signal`, so the runner jumps to
 * its reverts and still writes a report. A second one runs the `atSecondInterrupt` actions and
 * exits at once with 130, and the runtime's own exit hook then kills the stack's processes.
 */
export class Interrupts {
  private readonly controller = new AbortController();
  private readonly listener = (signal: NodeJS.Signals) => this.onSignal(signal);
  private readonly onSecond: Array<() => void> = [];

  constructor(
    private readonly logger: Logger,
    /** Tells the person at the terminal what happens now. */
    private readonly announce: (message: string) => void = () => {},
  ) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  install(): void {
    process.on('SIGINT', this.listener);
    process.on('SIGTERM', this.listener);
  }

  remove(): void {
    process.off('SIGINT', this.listener);
    process.off('SIGTERM', this.listener);
  }

  /** Registers work that must happen even on a second interrupt, such as killing the healer. */
  atSecondInterrupt(action: () => void): void {
    this.onSecond.push(action);
  }

  private onSignal(signal: NodeJS.Signals): void {
    if (this.controller.signal.aborted) {
      this.logger.warn({ signal }, 'second interrupt, exiting at once');
      for (const action of this.onSecond) action();
      process.exit(ExitCode.interrupted);
    }
    this.logger.warn({ signal }, 'interrupted, reverting faults and tearing down');
    this.announce(
      `${signal}: reverting faults and tearing down; send it again to exit at once without cleanup`,
    );
    this.controller.abort(new InterruptedError(`interrupted by ${signal}`));
  }
}
