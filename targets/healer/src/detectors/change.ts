import { Ewma } from './stats.ts';
import type { SampleDetector, Verdict } from './verdict.ts';

export interface EwmaOptions {
  alpha: number;
  k: number;
  warmup: number;
  consecutive: number;
  minStdDev: number;
  minValue: number;
}

/**
 * Fires when `consecutive` samples in a row lie more than k standard deviations above the
 * exponentially weighted mean. The baseline learns only from samples that do not breach, so a
 * lasting fault does not become the new normal.
 */
export class EwmaDetector implements SampleDetector {
  private readonly baseline: Ewma;
  private breachesInRow = 0;
  private firing = false;

  constructor(readonly options: EwmaOptions) {
    this.baseline = new Ewma(options.alpha);
  }

  observe(value: number): Verdict {
    const { k, warmup, consecutive, minStdDev, minValue } = this.options;
    const mean = this.baseline.mean;
    const stdDev = Math.max(this.baseline.stdDev, minStdDev);
    const warm = this.baseline.count >= warmup;
    const z = stdDev > 0 ? (value - mean) / stdDev : 0;
    const breached = warm && z > k && value > minValue;

    if (breached) {
      this.breachesInRow++;
      if (this.breachesInRow >= consecutive) this.firing = true;
    } else {
      this.breachesInRow = 0;
      this.firing = false;
      this.baseline.update(value);
    }
    return { firing: this.firing, evidence: { value, mean, stdDev, z, k, warm } };
  }
}

export interface CusumOptions {
  k: number;
  h: number;
  warmup: number;
  minStdDev: number;
}

/**
 * One-sided (upward) CUSUM on standardised samples: S = max(0, S + z − k), firing while S > h.
 * Mean and standard deviation come from the first `warmup` samples and then stay fixed.
 */
export class CusumDetector implements SampleDetector {
  private readonly warmupSamples: number[] = [];
  private mean = 0;
  private stdDev = 0;
  private sum = 0;

  constructor(readonly options: CusumOptions) {}

  observe(value: number): Verdict {
    const { k, h, warmup } = this.options;
    if (this.warmupSamples.length < warmup) {
      this.warmupSamples.push(value);
      if (this.warmupSamples.length === warmup) this.fixBaseline();
      return { firing: false, evidence: { value, warm: false } };
    }
    const z = this.stdDev > 0 ? (value - this.mean) / this.stdDev : 0;
    this.sum = Math.max(0, this.sum + z - k);
    return {
      firing: this.sum > h,
      evidence: { value, mean: this.mean, stdDev: this.stdDev, cusum: this.sum, h, k, warm: true },
    };
  }

  private fixBaseline(): void {
    const n = this.warmupSamples.length;
    this.mean = this.warmupSamples.reduce((total, value) => total + value, 0) / n;
    const variance =
      this.warmupSamples.reduce((total, value) => total + (value - this.mean) ** 2, 0) /
      Math.max(1, n - 1);
    this.stdDev = Math.max(Math.sqrt(variance), this.options.minStdDev);
  }
}
