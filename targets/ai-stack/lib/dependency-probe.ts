import type { Logger } from '../../../common/src/log.ts';

/**
 * A background probe of one dependency: runs `check` every `intervalMs`, at most one at a time,
 * whether or not requests use the dependency. A service in a degraded mode that stops calling
 * its dependency keeps measuring it this way, so a healer sees the dependency recover, instead of
 * a latency that cleared only because no request used the dependency.
 */
export interface DependencyProbeOptions {
  intervalMs: number;
  /** A check that takes longer counts as failed and is abandoned. */
  timeoutMs: number;
}

/** Result of the last finished check, plus the check in flight. */
export interface ProbeStatus {
  ok: boolean;
  /** Latency the probe reports now: see `latencyMs()`. */
  latencyMs: number;
  /** Time since the last check finished; undefined before the first one. */
  ageMs: number | undefined;
  inFlightMs: number | undefined;
  error?: string;
}

/** A check that throws fails; `signal` aborts when the check timed out. */
export type ProbeCheck = (signal: AbortSignal) => Promise<void>;

export class DependencyProbe {
  private timer: NodeJS.Timeout | undefined;
  private inFlightSinceMs: number | undefined;
  private inFlight: Promise<void> | undefined;
  private last: { ok: boolean; latencyMs: number; atMs: number; error?: string } | undefined;
  private failuresLogged = 0;

  constructor(
    readonly dependency: string,
    private readonly check: ProbeCheck,
    private readonly options: DependencyProbeOptions,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.timer !== undefined) return;
    void this.runOnce();
    this.timer = setInterval(() => void this.runOnce(), this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }

  /**
   * Latency of the last finished check, or the time the check in flight has taken so far when that
   * is longer, so a dependency that stops responding shows a latency that keeps growing.
   */
  latencyMs(): number {
    const finished = this.last?.latencyMs ?? 0;
    const running =
      this.inFlightSinceMs === undefined ? 0 : performance.now() - this.inFlightSinceMs;
    return Math.max(finished, running);
  }

  status(): ProbeStatus {
    const now = performance.now();
    return {
      ok: this.last?.ok ?? false,
      latencyMs: Math.round(this.latencyMs()),
      ageMs: this.last && Math.round(now - this.last.atMs),
      inFlightMs: this.inFlightSinceMs && Math.round(now - this.inFlightSinceMs),
      ...(this.last?.error === undefined ? {} : { error: this.last.error }),
    };
  }

  /** Resolves once at least one check has finished, waiting for the one in flight if needed. */
  async settled(): Promise<ProbeStatus> {
    if (this.last === undefined) await (this.inFlight ?? this.runOnce());
    return this.status();
  }

  private runOnce(): Promise<void> {
    if (this.inFlight !== undefined) return this.inFlight;
    const startedAtMs = performance.now();
    this.inFlightSinceMs = startedAtMs;
    this.inFlight = this.checkWithTimeout()
      .then(
        () => this.record(true, startedAtMs),
        (error: unknown) => this.record(false, startedAtMs, (error as Error).message),
      )
      .finally(() => {
        this.inFlight = undefined;
        this.inFlightSinceMs = undefined;
      });
    return this.inFlight;
  }

  private async checkWithTimeout(): Promise<void> {
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    const timedOut = new Promise<never>((_, reject) => {
      signal.addEventListener('abort', () =>
        reject(new Error(`timed out after ${this.options.timeoutMs} ms`)),
      );
    });
    await Promise.race([this.check(signal), timedOut]);
  }

  private record(ok: boolean, startedAtMs: number, error?: string): void {
    const atMs = performance.now();
    this.last = { ok, latencyMs: atMs - startedAtMs, atMs, ...(error ? { error } : {}) };
    if (ok) {
      this.failuresLogged = 0;
      return;
    }
    // Logs the first failures of a streak, then stays quiet until a check passes again.
    if (this.failuresLogged < 3) {
      this.failuresLogged++;
      this.logger.warn({ dependency: this.dependency, err: error }, 'dependency probe failed');
    }
  }
}
