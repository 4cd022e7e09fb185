import { quantileSorted } from 'simple-statistics';
import type { Statistic } from './scorecard.ts';

/**
 * Statistics over trials: quantiles and a seeded percentile bootstrap. The bootstrap resamples with
 * replacement from a seeded generator, so the same values and seed give the same interval.
 */

/** mulberry32, a small 32-bit generator; fine for resampling, not for anything secret. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function median(values: number[]): number {
  return quantileSorted(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

export interface BootstrapOptions {
  /** Number of resamples. */
  resamples?: number;
  /** Confidence level, such as 0.95. */
  level?: number;
  seed?: number;
}

/**
 * Percentile bootstrap confidence interval of `statistic` over `values`. With one value the interval
 * is that value. Throws on an empty list, because an interval of nothing means nothing.
 */
export function bootstrapInterval(
  values: number[],
  statistic: (sample: number[]) => number,
  options: BootstrapOptions = {},
): { low: number; high: number; resamples: number } {
  const { resamples = 2_000, level = 0.95, seed = 1 } = options;
  if (values.length === 0) throw new Error('bootstrapInterval needs at least one value');
  if (values.length === 1) {
    const only = values[0] as number;
    return { low: only, high: only, resamples: 0 };
  }

  const random = seededRandom(seed);
  const estimates = new Array<number>(resamples);
  const resample = new Array<number>(values.length);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < values.length; i++) {
      resample[i] = values[Math.floor(random() * values.length)] as number;
    }
    estimates[r] = statistic(resample);
  }

  estimates.sort((a, b) => a - b);
  const tail = (1 - level) / 2;
  return {
    low: quantileSorted(estimates, tail),
    high: quantileSorted(estimates, 1 - tail),
    resamples,
  };
}

/** p50, p95, min, max and a bootstrap interval of the median; null when there are no values. */
export function summarize(values: number[], seed = 1): Statistic | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: quantileSorted(sorted, 0.5),
    p95: quantileSorted(sorted, 0.95),
    min: sorted[0] as number,
    max: sorted[sorted.length - 1] as number,
    ci95: bootstrapInterval(sorted, median, { seed, level: 0.95 }),
  };
}
