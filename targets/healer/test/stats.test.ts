import { describe, expect, it } from 'vitest';
import { Ewma, ksPValue, ksStatistic, populationStabilityIndex } from '../src/detectors/stats.ts';

const range = (n: number) => Array.from({ length: n }, (_, index) => index);

describe('population stability index', () => {
  it('is zero for identical samples', () => {
    expect(populationStabilityIndex(range(100), range(100))).toBeCloseTo(0, 10);
  });

  it('matches the hand-computed value for a 75/25 split', () => {
    const actual = [...Array(75).fill(10), ...Array(25).fill(90)];
    // Shares 0.75 and 0.25 against 0.5 and 0.5: 0.25·ln 1.5 + 0.25·ln 2.
    const expected = 0.25 * Math.log(1.5) + 0.25 * Math.log(2);
    expect(populationStabilityIndex(range(100), actual, 2)).toBeCloseTo(expected, 10);
  });

  it('stays finite when a bin is empty', () => {
    const psi = populationStabilityIndex(range(100), Array(50).fill(99), 4);
    expect(Number.isFinite(psi)).toBe(true);
    expect(psi).toBeGreaterThan(1);
  });

  it('rejects an empty sample', () => {
    expect(() => populationStabilityIndex([], [1])).toThrow(/non-empty/);
  });
});

describe('Kolmogorov–Smirnov', () => {
  it('computes D for shifted samples', () => {
    expect(ksStatistic([1, 2, 3, 4, 5], [3, 4, 5, 6, 7])).toBeCloseTo(0.4, 10);
  });

  it('gives D = 0 for equal samples and 1 for disjoint ones', () => {
    expect(ksStatistic([1, 2, 3], [3, 2, 1])).toBe(0);
    expect(ksStatistic([1, 2, 3], [10, 11])).toBe(1);
  });

  it('handles ties across samples', () => {
    expect(ksStatistic([1, 1, 2, 2], [1, 2, 2, 2])).toBeCloseTo(0.25, 10);
  });

  it('p-value follows the Kolmogorov distribution for large samples', () => {
    const n = 1e8;
    const scale = Math.sqrt((n * n) / (2 * n));
    expect(ksPValue(1.3581 / scale, n, n)).toBeCloseTo(0.05, 3);
    expect(ksPValue(1.2238 / scale, n, n)).toBeCloseTo(0.1, 3);
    expect(ksPValue(1.6276 / scale, n, n)).toBeCloseTo(0.01, 3);
  });

  it('p-value is 1 for no difference and tiny for a clear one', () => {
    expect(ksPValue(0, 50, 50)).toBe(1);
    expect(ksPValue(0.8, 50, 50)).toBeLessThan(1e-10);
  });
});

describe('Ewma', () => {
  it('tracks mean and variance of a constant series', () => {
    const ewma = new Ewma(0.5);
    for (const value of [4, 4, 4, 4]) ewma.update(value);
    expect(ewma.mean).toBe(4);
    expect(ewma.stdDev).toBe(0);
  });

  it('moves the mean by alpha of each step', () => {
    const ewma = new Ewma(0.25);
    ewma.update(0);
    ewma.update(8);
    expect(ewma.mean).toBe(2);
    // variance = (1 − α)(0 + 8·2) = 12
    expect(ewma.variance).toBe(12);
  });
});
