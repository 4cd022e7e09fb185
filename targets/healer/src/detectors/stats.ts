import { quantileSorted } from 'simple-statistics';

/**
 * Drift statistics that simple-statistics lacks: the population stability index and the
 * two-sample Kolmogorov–Smirnov test.
 */

/** Share of values in each bin; `edges` are the inner bin boundaries, ascending. */
function binShares(values: readonly number[], edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const value of values) {
    let bin = 0;
    while (bin < edges.length && value > (edges[bin] as number)) bin++;
    counts[bin] = (counts[bin] as number) + 1;
  }
  return counts.map((count) => count / values.length);
}

/**
 * Computes the population stability index of `actual` against `expected`, binned at the expected
 * sample's quantiles: Σ (a − e) · ln(a / e). Empty bins get `epsilon` so the logarithm stays finite.
 * Below 0.1 is usually read as stable, above 0.25 as a major shift.
 */
export function populationStabilityIndex(
  expected: readonly number[],
  actual: readonly number[],
  bins = 10,
  epsilon = 1e-4,
): number {
  if (expected.length === 0 || actual.length === 0)
    throw new Error('PSI needs two non-empty samples');
  const sorted = [...expected].sort((a, b) => a - b);
  const edges: number[] = [];
  for (let index = 1; index < bins; index++) {
    const edge = quantileSorted(sorted, index / bins);
    if (edges.length === 0 || edge > (edges[edges.length - 1] as number)) edges.push(edge);
  }
  const expectedShares = binShares(expected, edges);
  const actualShares = binShares(actual, edges);
  let psi = 0;
  expectedShares.forEach((share, bin) => {
    const e = Math.max(share, epsilon);
    const a = Math.max(actualShares[bin] as number, epsilon);
    psi += (a - e) * Math.log(a / e);
  });
  return psi;
}

/** Returns the two-sample Kolmogorov–Smirnov statistic D: the largest gap between the two ECDFs. */
export function ksStatistic(first: readonly number[], second: readonly number[]): number {
  if (first.length === 0 || second.length === 0) throw new Error('KS needs two non-empty samples');
  const a = [...first].sort((x, y) => x - y);
  const b = [...second].sort((x, y) => x - y);
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < a.length && j < b.length) {
    const value = Math.min(a[i] as number, b[j] as number);
    while (i < a.length && (a[i] as number) <= value) i++;
    while (j < b.length && (b[j] as number) <= value) j++;
    d = Math.max(d, Math.abs(i / a.length - j / b.length));
  }
  return d;
}

/**
 * Returns the asymptotic p-value of D for samples of sizes n and m, from the Kolmogorov
 * distribution Q(λ) = 2 Σ (−1)^(k−1) e^(−2k²λ²) with Stephens' small-sample correction of λ.
 */
export function ksPValue(d: number, n: number, m: number): number {
  const effective = Math.sqrt((n * m) / (n + m));
  const lambda = (effective + 0.12 + 0.11 / effective) * d;
  if (lambda < 1e-3) return 1;
  let sum = 0;
  for (let k = 1; k <= 100; k++) {
    const term = (k % 2 === 1 ? 1 : -1) * Math.exp(-2 * k * k * lambda * lambda);
    sum += term;
    if (Math.abs(term) < 1e-12) break;
  }
  return Math.min(1, Math.max(0, 2 * sum));
}

/** Exponentially weighted mean and variance, updated one sample at a time. */
export class Ewma {
  mean = 0;
  variance = 0;
  count = 0;

  constructor(readonly alpha: number) {}

  update(value: number): void {
    this.count++;
    if (this.count === 1) {
      this.mean = value;
      return;
    }
    const difference = value - this.mean;
    const increment = this.alpha * difference;
    this.mean += increment;
    this.variance = (1 - this.alpha) * (this.variance + difference * increment);
  }

  get stdDev(): number {
    return Math.sqrt(this.variance);
  }
}
