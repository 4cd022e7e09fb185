import type { Logger } from 'pino';
import type { Fault, InjectResult } from './types.ts';

/** A revert that threw, with the fault it belongs to. */
export interface RevertFailure {
  fault: string;
  error: unknown;
}

interface Entry {
  name: string;
  revert: () => Promise<void>;
}

/**
 * The reverts of every fault that may be in effect, recorded before each fault is applied, so a
 * failure, a timeout or an interrupt at any point still finds what to undo. Reverts run newest
 * first. A revert that throws stays in the ledger, so `activeFaults` still lists it and a later
 * `revertAll` tries it again.
 *
 * TODO: persist the entries once the runner writes its crash state file; until then a crashed
 * harness leaves its faults in place until the next run resets Toxiproxy and restarts services.
 */
export class FaultLedger {
  readonly #entries: Entry[] = [];
  #reverting: Promise<RevertFailure[]> | undefined;

  constructor(private readonly logger?: Logger) {}

  /** Records how to undo a fault. Call it before the fault touches anything. */
  record(name: string, revert: () => Promise<void>): void {
    if (this.#entries.some((entry) => entry.name === name)) {
      throw new Error(`fault "${name}" is already in the ledger: fault names must be unique`);
    }
    this.#entries.push({ name, revert });
  }

  /** Names of the faults recorded and not yet reverted, oldest first. */
  activeFaults(): string[] {
    return this.#entries.map((entry) => entry.name);
  }

  /** Reverts one fault, such as when its duration ends. Does nothing for a name not in the ledger. */
  async revert(name: string): Promise<RevertFailure | undefined> {
    const entry = this.#entries.find((candidate) => candidate.name === name);
    if (!entry) return undefined;
    return await this.#run(entry);
  }

  /**
   * Reverts every recorded fault, newest first, attempting each even when an earlier one throws.
   * Returns the failures. A call made while one is running shares its result, so a second
   * interrupt does not start a second round of reverts.
   */
  revertAll(): Promise<RevertFailure[]> {
    this.#reverting ??= this.#revertEach().finally(() => {
      this.#reverting = undefined;
    });
    return this.#reverting;
  }

  async #revertEach(): Promise<RevertFailure[]> {
    const failures: RevertFailure[] = [];
    for (const entry of [...this.#entries].reverse()) {
      const failure = await this.#run(entry);
      if (failure) failures.push(failure);
    }
    return failures;
  }

  async #run(entry: Entry): Promise<RevertFailure | undefined> {
    try {
      await entry.revert();
    } catch (error) {
      this.logger?.error({ fault: entry.name, err: error }, 'fault revert failed');
      return { fault: entry.name, error };
    }
    const index = this.#entries.indexOf(entry);
    if (index >= 0) this.#entries.splice(index, 1);
    this.logger?.info({ fault: entry.name }, 'fault reverted');
    return undefined;
  }
}

/**
 * Injects a fault after recording its revert in the ledger, so the revert runs even when the
 * injection fails or is aborted halfway.
 */
export async function injectRecorded(
  ledger: FaultLedger,
  fault: Fault,
  signal: AbortSignal,
): Promise<InjectResult> {
  ledger.record(fault.name, () => fault.revert());
  return await fault.inject(signal);
}
