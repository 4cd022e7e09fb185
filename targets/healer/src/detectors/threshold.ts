import type { SampleDetector, Verdict } from './verdict.ts';

export interface ThresholdOptions {
  above?: number;
  below?: number;
  /** How long the condition must hold before the detector fires. */
  forMs: number;
  /** How long the condition must be false before the detector clears. */
  clearForMs: number;
}

/** Fires when a value stays above (or below) a threshold for a duration, like a Prometheus `for`. */
export class ThresholdFor implements SampleDetector {
  private breachSinceMs: number | undefined;
  private okSinceMs: number | undefined;
  private firing = false;

  constructor(readonly options: ThresholdOptions) {}

  observe(value: number, nowMs: number): Verdict {
    const { above, below, forMs, clearForMs } = this.options;
    const breached =
      (above !== undefined && value > above) || (below !== undefined && value < below);
    if (breached) {
      this.okSinceMs = undefined;
      this.breachSinceMs ??= nowMs;
      if (nowMs - this.breachSinceMs >= forMs) this.firing = true;
    } else {
      this.breachSinceMs = undefined;
      this.okSinceMs ??= nowMs;
      if (this.firing && nowMs - this.okSinceMs >= clearForMs) this.firing = false;
    }
    const heldMs = this.breachSinceMs === undefined ? 0 : nowMs - this.breachSinceMs;
    return { firing: this.firing, evidence: { value, above, below, forMs, heldMs } };
  }
}

/**
 * Fires when a gauge (a queue lag, say) rose by at least `minIncrease` over the last `forMs`
 * without ever falling: a worker that is alive but has stopped making progress.
 */
export class Stall implements SampleDetector {
  private samples: Array<{ atMs: number; value: number }> = [];
  private firing = false;

  constructor(
    readonly minIncrease: number,
    readonly forMs: number,
  ) {}

  observe(value: number, nowMs: number): Verdict {
    const last = this.samples[this.samples.length - 1];
    if (last !== undefined && value < last.value) {
      this.samples = [];
      this.firing = false;
    }
    this.samples.push({ atMs: nowMs, value });
    while (
      this.samples.length > 1 &&
      nowMs - (this.samples[1] as { atMs: number }).atMs >= this.forMs
    ) {
      this.samples.shift();
    }
    const first = this.samples[0] as { atMs: number; value: number };
    const spanMs = nowMs - first.atMs;
    const increase = value - first.value;
    if (spanMs >= this.forMs && increase >= this.minIncrease) this.firing = true;
    return {
      firing: this.firing,
      evidence: { value, increase, spanMs, minIncrease: this.minIncrease, forMs: this.forMs },
    };
  }
}
