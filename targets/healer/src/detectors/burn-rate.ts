import type { Verdict } from './verdict.ts';

export interface BurnRateOptions {
  /** Target success ratio, such as 0.99; the error budget is 1 − objective. */
  objective: number;
  shortWindowMs: number;
  longWindowMs: number;
  factor: number;
  /** Requests a window needs before its burn rate counts, so an idle service never fires. */
  minEvents: number;
}

interface CounterSample {
  atMs: number;
  errors: number;
  total: number;
}

/**
 * Multi-window SLO burn-rate alert: fires when the error ratio over both the short and the long
 * window exceeds `factor` times the error budget. Fed cumulative counters, so counter resets
 * (a restarted service) restart the history. The long window gives no rate until the history
 * spans all of it: a shorter history would make it a second short window, and a healer started
 * during an error spike would fire on the spike alone.
 */
export class BurnRate {
  private history: CounterSample[] = [];

  constructor(readonly options: BurnRateOptions) {}

  observe(errors: number, total: number, nowMs: number): Verdict {
    const last = this.history[this.history.length - 1];
    if (last !== undefined && (total < last.total || errors < last.errors)) this.history = [];
    this.history.push({ atMs: nowMs, errors, total });
    while (
      this.history.length > 2 &&
      nowMs - (this.history[1] as CounterSample).atMs >= this.options.longWindowMs
    ) {
      this.history.shift();
    }

    const short = this.burnOver(this.options.shortWindowMs, nowMs);
    const historyMs = nowMs - (this.history[0] as CounterSample).atMs;
    const long =
      historyMs >= this.options.longWindowMs
        ? this.burnOver(this.options.longWindowMs, nowMs)
        : undefined;
    const firing =
      short !== undefined &&
      long !== undefined &&
      short >= this.options.factor &&
      long >= this.options.factor;
    return {
      firing,
      evidence: {
        shortBurnRate: short,
        longBurnRate: long,
        factor: this.options.factor,
        objective: this.options.objective,
      },
    };
  }

  private burnOver(windowMs: number, nowMs: number): number | undefined {
    const newest = this.history[this.history.length - 1] as CounterSample;
    const oldest = this.history.find((sample) => nowMs - sample.atMs <= windowMs) ?? newest;
    const events = newest.total - oldest.total;
    if (events < this.options.minEvents || events <= 0) return undefined;
    const errorRatio = (newest.errors - oldest.errors) / events;
    return errorRatio / (1 - this.options.objective);
  }
}
