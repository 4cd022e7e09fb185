/**
 * A retry budget: retries may add at most `ratio` extra load on top of first attempts, measured
 * over a sliding window, plus a floor of `minPerSecond` retries so a quiet service can still retry.
 * When a dependency fails for everyone, the budget runs out and callers fail fast instead of
 * multiplying the load on it.
 */
export interface RetryBudgetOptions {
  ratio: number;
  minPerSecond: number;
  windowMs: number;
}

const BUCKETS = 10;

export class RetryBudget {
  private readonly requests = new Array<number>(BUCKETS).fill(0);
  private readonly retries = new Array<number>(BUCKETS).fill(0);
  private bucketStartMs: number;
  private bucket = 0;

  constructor(
    readonly options: RetryBudgetOptions,
    private readonly nowMs: () => number = () => performance.now(),
  ) {
    this.bucketStartMs = nowMs();
  }

  /** Counts a first attempt, which earns `ratio` of a retry. */
  recordRequest(): void {
    this.advance();
    this.requests[this.bucket] = (this.requests[this.bucket] as number) + 1;
  }

  /** Spends one retry if the budget allows it; returns false when it is exhausted. */
  tryRetry(): boolean {
    this.advance();
    if (this.available() < 1) return false;
    this.retries[this.bucket] = (this.retries[this.bucket] as number) + 1;
    return true;
  }

  /** Retries still allowed in the current window. */
  available(): number {
    this.advance();
    const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
    const floor = (this.options.minPerSecond * this.options.windowMs) / 1000;
    return floor + this.options.ratio * sum(this.requests) - sum(this.retries);
  }

  private advance(): void {
    const bucketMs = this.options.windowMs / BUCKETS;
    const elapsed = Math.floor((this.nowMs() - this.bucketStartMs) / bucketMs);
    if (elapsed <= 0) return;
    for (let step = 0; step < Math.min(elapsed, BUCKETS); step++) {
      this.bucket = (this.bucket + 1) % BUCKETS;
      this.requests[this.bucket] = 0;
      this.retries[this.bucket] = 0;
    }
    this.bucketStartMs += elapsed * bucketMs;
  }
}
