import { type ErrorKind, errorKinds } from './classify.ts';
import { LatencyHistogram, percentile } from './percentile.ts';

/** Result of one request. Latency counts from its scheduled time and is null if it was never sent. */
export interface RequestOutcome {
  kind: 'success' | ErrorKind;
  latencyMs: number | null;
  /** Whether the response was compared with an expected answer. */
  checked: boolean;
}

/**
 * One second of load, in the shape of the scorer's SLI sample. It covers requests *scheduled* in
 * `(tMs - intervalMs, tMs]` since the run's start, so a stall shows in the seconds it began in.
 * Latencies cover every request that was sent, failed ones included.
 */
export interface LoadSample {
  tMs: number;
  intervalMs: number;
  /** Whether the second falls in the warmup, which runs load but is not scored. */
  warmup: boolean;
  requests: number;
  successes: number;
  errors: number;
  errorsByKind: Record<ErrorKind, number>;
  errorRate: number | null;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  latencyP99Ms: number | null;
  /** Successful requests per second. */
  throughputRps: number;
  answersChecked: number;
  wrongAnswers: number;
}

export type LoadTotals = Omit<LoadSample, 'tMs' | 'intervalMs' | 'warmup' | 'throughputRps'>;

interface Bucket {
  pending: number;
  outcomes: RequestOutcome[];
}

const INTERVAL_MS = 1_000;

function zeroErrors(): Record<ErrorKind, number> {
  return Object.fromEntries(errorKinds.map((kind) => [kind, 0])) as Record<ErrorKind, number>;
}

/**
 * Builds the per-second SLI series of a load run. A second is emitted, in order, once the
 * scheduler has moved past it and every request scheduled in it has ended.
 */
export class SliSeries {
  readonly samples: LoadSample[] = [];
  private readonly buckets = new Map<number, Bucket>();
  private readonly histogram = new LatencyHistogram();
  private readonly totals: LoadTotals = SliSeries.emptyTotals();
  private nextSecond: number;
  private closedBeforeSecond: number;

  constructor(
    private readonly options: {
      /** Run time (ms since the run's start) at which load begins. */
      startMs: number;
      /** Run time before which samples count as warmup. */
      warmupEndMs: number;
      onSample?: (sample: LoadSample) => void;
    },
  ) {
    this.nextSecond = Math.floor(options.startMs / INTERVAL_MS);
    this.closedBeforeSecond = this.nextSecond;
  }

  /** Registers a request scheduled at run time `tMs` and returns its second. */
  schedule(tMs: number): number {
    const second = Math.floor(tMs / INTERVAL_MS);
    let bucket = this.buckets.get(second);
    if (!bucket) {
      bucket = { pending: 0, outcomes: [] };
      this.buckets.set(second, bucket);
    }
    bucket.pending++;
    return second;
  }

  complete(second: number, outcome: RequestOutcome): void {
    const bucket = this.buckets.get(second);
    if (!bucket) throw new Error(`no request was scheduled in second ${second}`);
    bucket.pending--;
    bucket.outcomes.push(outcome);
    this.addToTotals(outcome);
    this.emitReady();
  }

  /** Drops a request that was cancelled by an abort, so it counts nowhere. */
  cancel(second: number): void {
    const bucket = this.buckets.get(second);
    if (bucket) bucket.pending--;
    this.emitReady();
  }

  /** Tells the series that nothing more will be scheduled before run time `tMs`. */
  closeBefore(tMs: number): void {
    this.closedBeforeSecond = Math.max(this.closedBeforeSecond, Math.floor(tMs / INTERVAL_MS));
    this.emitReady();
  }

  /** Emits every remaining second up to and including the one of run time `endMs`. */
  finish(endMs: number): void {
    this.closeBefore(endMs + INTERVAL_MS);
  }

  totalsSnapshot(): LoadTotals & { latencyP50Ms: number | null } {
    return {
      ...this.totals,
      errorsByKind: { ...this.totals.errorsByKind },
      latencyP50Ms: this.histogram.percentile(50),
      latencyP95Ms: this.histogram.percentile(95),
      latencyP99Ms: this.histogram.percentile(99),
    };
  }

  private emitReady(): void {
    while (this.nextSecond < this.closedBeforeSecond) {
      const bucket = this.buckets.get(this.nextSecond);
      if (bucket && bucket.pending > 0) return;
      this.buckets.delete(this.nextSecond);
      const sample = this.summarize(this.nextSecond, bucket?.outcomes ?? []);
      this.samples.push(sample);
      this.nextSecond++;
      this.options.onSample?.(sample);
    }
  }

  private summarize(second: number, outcomes: readonly RequestOutcome[]): LoadSample {
    const errorsByKind = zeroErrors();
    const latencies: number[] = [];
    let successes = 0;
    let answersChecked = 0;
    for (const outcome of outcomes) {
      if (outcome.kind === 'success') successes++;
      else errorsByKind[outcome.kind]++;
      if (outcome.latencyMs !== null) latencies.push(outcome.latencyMs);
      if (outcome.checked) answersChecked++;
    }
    latencies.sort((a, b) => a - b);

    const tMs = (second + 1) * INTERVAL_MS;
    const errors = outcomes.length - successes;
    return {
      tMs,
      intervalMs: INTERVAL_MS,
      warmup: tMs <= this.options.warmupEndMs,
      requests: outcomes.length,
      successes,
      errors,
      errorsByKind,
      errorRate: outcomes.length === 0 ? null : errors / outcomes.length,
      latencyP50Ms: percentile(latencies, 50),
      latencyP95Ms: percentile(latencies, 95),
      latencyP99Ms: percentile(latencies, 99),
      throughputRps: successes / (INTERVAL_MS / 1_000),
      answersChecked,
      wrongAnswers: errorsByKind.wrong_answer,
    };
  }

  private addToTotals(outcome: RequestOutcome): void {
    this.totals.requests++;
    if (outcome.kind === 'success') this.totals.successes++;
    else {
      this.totals.errors++;
      this.totals.errorsByKind[outcome.kind]++;
    }
    if (outcome.checked) this.totals.answersChecked++;
    if (outcome.kind === 'wrong_answer') this.totals.wrongAnswers++;
    if (outcome.latencyMs !== null) this.histogram.record(outcome.latencyMs);
    this.totals.errorRate = this.totals.errors / this.totals.requests;
  }

  private static emptyTotals(): LoadTotals {
    return {
      requests: 0,
      successes: 0,
      errors: 0,
      errorsByKind: zeroErrors(),
      errorRate: null,
      latencyP50Ms: null,
      latencyP95Ms: null,
      latencyP99Ms: null,
      answersChecked: 0,
      wrongAnswers: 0,
    };
  }
}
