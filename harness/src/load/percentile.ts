/**
 * Returns the nearest-rank percentile of `sortedValues` (ascending): the smallest value that at
 * least `percent` % of the values do not exceed. Returns null for an empty list.
 */
export function percentile(sortedValues: readonly number[], percent: number): number | null {
  if (sortedValues.length === 0) return null;
  if (percent <= 0) return sortedValues[0] as number;
  const rank = Math.ceil((percent / 100) * sortedValues.length);
  return sortedValues[Math.min(rank, sortedValues.length) - 1] as number;
}

/** Relative width of a `LatencyHistogram` bucket: reported percentiles are within 1 % of exact. */
const BUCKET_GROWTH = 1.01;
const LOG_GROWTH = Math.log(BUCKET_GROWTH);

/**
 * Latency histogram with logarithmic buckets, for percentiles over a whole run in constant memory.
 * Values up to 1 ms share the first bucket. Percentiles are estimates, at most 1 % above the true
 * value (the bucket's upper edge is reported).
 */
export class LatencyHistogram {
  private readonly counts = new Map<number, number>();
  private total = 0;
  private maxMs = 0;

  record(valueMs: number): void {
    const bucket = valueMs <= 1 ? 0 : Math.ceil(Math.log(valueMs) / LOG_GROWTH);
    this.counts.set(bucket, (this.counts.get(bucket) ?? 0) + 1);
    this.total++;
    this.maxMs = Math.max(this.maxMs, valueMs);
  }

  get count(): number {
    return this.total;
  }

  percentile(percent: number): number | null {
    if (this.total === 0) return null;
    const rank = Math.max(1, Math.ceil((percent / 100) * this.total));
    const buckets = [...this.counts.keys()].sort((a, b) => a - b);
    let seen = 0;
    for (const bucket of buckets) {
      seen += this.counts.get(bucket) as number;
      if (seen >= rank) return Math.min(bucket === 0 ? 1 : BUCKET_GROWTH ** bucket, this.maxMs);
    }
    return this.maxMs;
  }
}
