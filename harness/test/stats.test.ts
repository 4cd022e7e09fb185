import { mean } from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import { bootstrapInterval, median, seededRandom, summarize } from '../src/score/stats.ts';

/** Normal deviates by Box-Muller from the seeded generator, so the tests are repeatable. */
function normalSample(random: () => number, size: number, mu: number, sigma: number): number[] {
  const values: number[] = [];
  while (values.length < size) {
    const u = 1 - random();
    const v = random();
    values.push(mu + sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
  }
  return values;
}

describe('seededRandom', () => {
  it('repeats its sequence for one seed', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const first = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(first);
  });

  it('stays in [0, 1) with a uniform mean', () => {
    const random = seededRandom(3);
    const values = Array.from({ length: 20_000 }, random);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    expect(mean(values)).toBeCloseTo(0.5, 2);
  });
});

describe('bootstrapInterval', () => {
  it('gives the same interval for the same seed', () => {
    const values = [120, 340, 90, 800, 410, 230];
    const a = bootstrapInterval(values, median, { seed: 9 });
    const b = bootstrapInterval(values, median, { seed: 9 });
    expect(a).toEqual(b);
  });

  it('contains the sample statistic', () => {
    const values = normalSample(seededRandom(1), 40, 1_000, 200);
    const interval = bootstrapInterval(values, median);
    expect(interval.low).toBeLessThanOrEqual(median(values));
    expect(interval.high).toBeGreaterThanOrEqual(median(values));
  });

  it('narrows as the sample grows', () => {
    const random = seededRandom(5);
    const small = bootstrapInterval(normalSample(random, 20, 0, 1), mean);
    const large = bootstrapInterval(normalSample(random, 500, 0, 1), mean);
    expect(large.high - large.low).toBeLessThan((small.high - small.low) / 3);
  });

  it('matches the normal-theory width for a mean', () => {
    // For n = 400, sigma = 10 the 95% interval of the mean is about 2 * 1.96 * 10 / 20 = 1.96 wide.
    const values = normalSample(seededRandom(11), 400, 50, 10);
    const interval = bootstrapInterval(values, mean, { resamples: 4_000 });
    expect(interval.high - interval.low).toBeGreaterThan(1.6);
    expect(interval.high - interval.low).toBeLessThan(2.4);
  });

  it('covers the true mean about 95% of the time', () => {
    const random = seededRandom(2024);
    let covered = 0;
    const repetitions = 200;
    for (let i = 0; i < repetitions; i++) {
      const values = normalSample(random, 50, 10, 3);
      const interval = bootstrapInterval(values, mean, { resamples: 500, seed: i + 1 });
      if (interval.low <= 10 && 10 <= interval.high) covered += 1;
    }
    // A percentile bootstrap under-covers slightly at n = 50; 200 repetitions add about ±3%.
    expect(covered / repetitions).toBeGreaterThan(0.88);
    expect(covered / repetitions).toBeLessThan(0.99);
  });

  it('collapses to the value for one value', () => {
    expect(bootstrapInterval([700], median)).toEqual({ low: 700, high: 700, resamples: 0 });
  });

  it('rejects an empty list', () => {
    expect(() => bootstrapInterval([], median)).toThrow(/at least one value/);
  });
});

describe('summarize', () => {
  it('returns null without values', () => {
    expect(summarize([])).toBeNull();
  });

  it('reports quantiles and extremes', () => {
    const values = [5_000, 1_000, 3_000, 2_000, 4_000];
    const summary = summarize(values);
    expect(summary?.n).toBe(5);
    expect(summary?.p50).toBe(3_000);
    expect(summary?.min).toBe(1_000);
    expect(summary?.max).toBe(5_000);
    expect(summary?.p95).toBeGreaterThanOrEqual(4_000);
    expect(summary?.p95).toBeLessThanOrEqual(5_000);
  });
});
