/** One evaluation of a detector: whether its condition holds now, and the numbers behind it. */
export interface Verdict {
  firing: boolean;
  evidence: Record<string, unknown>;
}

/** A time-series detector: fed one sample at a time on the monotonic clock (milliseconds). */
export interface SampleDetector {
  observe(value: number, nowMs: number): Verdict;
}
