import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { monotonicNowMs } from '../../../common/src/clock.ts';
import { createLogger, type Logger } from '../../../common/src/log.ts';
import type { ErrorKind } from './classify.ts';
import type { RequestPlanner } from './plan.ts';
import { sendRequest } from './send.ts';
import { type LoadSample, type LoadTotals, SliSeries } from './series.ts';
import type { LoadSpec } from './spec.ts';
import { TargetPools } from './targets.ts';

export interface LoadOptions {
  spec: LoadSpec;
  /** Base URL of each target component, such as `{ gateway: 'http://127.0.0.1:4100' }`. */
  targets: Readonly<Record<string, string>>;
  planner: RequestPlanner;
  /** The run's start on the monotonic clock (`monotonicNowMs`); all times count from it. */
  runStartMonotonicMs: number;
  /** Stops the load early; requests in flight are cancelled and counted nowhere. */
  signal?: AbortSignal;
  /** Called with each second of the SLI series, in order, once every request in it has ended. */
  onSample?: (sample: LoadSample) => void;
  /** Called as each request ends, overloaded ones included, for tracing and tests. */
  onRequest?: (request: RequestTrace) => void;
  logger?: Logger;
}

export interface RequestTrace {
  name: string;
  /** Run time at which the schedule sent it. */
  scheduledMs: number;
  /** From the scheduled time to the end; null when it was never sent (`overload`). */
  latencyMs: number | null;
  kind: 'success' | ErrorKind;
}

export interface LoadResult {
  /** Run time (ms since the run's start) of the first scheduled request and of the end of load. */
  startMs: number;
  endMs: number;
  /** Requests the schedule reached, sent or not. */
  scheduled: number;
  /** Requests in flight when the run was aborted, left out of every count. */
  cancelled: number;
  interrupted: boolean;
  samples: LoadSample[];
  totals: LoadTotals;
  /** Record ids of writes that succeeded, for the data-loss check. */
  acknowledgedIds: Set<string>;
}

/** How often the scheduler yields to the event loop when it is behind, so responses get processed. */
const YIELD_EVERY_REQUESTS = 64;
/** Maximum sleep between checks, so finished seconds are emitted even at rates below 1 per second. */
const MAX_SLEEP_MS = 250;

/**
 * Runs an open-model load: request k leaves at `start + k / rate` whether or not earlier ones
 * have returned, and its latency counts from that scheduled time, so a stalled server shows up
 * as latency instead of as fewer requests (coordinated omission). Requests beyond
 * `spec.maxInFlight` are not sent and count as `overload` errors. Resolves after `spec.duration`
 * plus at most one `spec.timeout`, or soon after `signal` aborts.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const pools = new TargetPools(
    options.targets,
    options.spec.mix.map((entry) => entry.target),
    options.spec.maxInFlight,
  );
  const run = new LoadRun(options, pools);
  const forwardAbort = () => run.abort();
  options.signal?.addEventListener('abort', forwardAbort, { once: true });
  try {
    await run.schedule();
    await run.drain();
  } finally {
    options.signal?.removeEventListener('abort', forwardAbort);
    await pools.close();
  }
  return run.result(options.signal?.aborted ?? false);
}

/** Monotonic time at which request `index` (from 0) leaves: `start + index / rate`. */
export function scheduledAtMs(
  startMonotonicMs: number,
  index: number,
  ratePerSecond: number,
): number {
  return startMonotonicMs + (index * 1_000) / ratePerSecond;
}

class LoadRun {
  private readonly controller = new AbortController();
  private readonly logger: Logger;
  private readonly series: SliSeries;
  private readonly startMonotonicMs = monotonicNowMs();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly acknowledged = new Set<string>();
  private scheduled = 0;
  private cancelled = 0;

  constructor(
    private readonly options: LoadOptions,
    private readonly pools: TargetPools,
  ) {
    this.logger = options.logger ?? createLogger('load');
    // Every request in flight listens for the run's abort.
    setMaxListeners(options.spec.maxInFlight + 10, this.controller.signal);
    const startMs = this.runTime(this.startMonotonicMs);
    this.series = new SliSeries({
      startMs,
      warmupEndMs: startMs + options.spec.warmup,
      ...(options.onSample ? { onSample: options.onSample } : {}),
    });
  }

  abort(): void {
    this.controller.abort();
  }

  /** Sends every request of the schedule on time, or stops at an abort. */
  async schedule(): Promise<void> {
    const { spec } = this.options;
    const count = Math.floor((spec.duration * spec.rate) / 1_000);
    this.logger.info(
      {
        rate: spec.rate,
        durationMs: spec.duration,
        requests: count,
        startMs: this.runTime(this.startMonotonicMs),
      },
      'load started',
    );

    for (let index = 0; index < count; index++) {
      const dueMonotonicMs = scheduledAtMs(this.startMonotonicMs, index, spec.rate);
      await this.waitUntil(dueMonotonicMs, index);
      if (this.controller.signal.aborted) return;
      this.dispatch(dueMonotonicMs);
      this.scheduled++;
    }
  }

  /** Waits for the requests in flight, each bounded by the timeout, so this ends within one. */
  async drain(): Promise<void> {
    await Promise.all(this.inFlight);
  }

  result(interrupted: boolean): LoadResult {
    const startMs = this.runTime(this.startMonotonicMs);
    const endMs = this.runTime(monotonicNowMs());
    this.series.finish(Math.min(endMs, startMs + this.options.spec.duration - 1));
    const totals = this.series.totalsSnapshot();
    this.logger.info(
      { scheduled: this.scheduled, cancelled: this.cancelled, interrupted, totals },
      'load finished',
    );
    return {
      startMs,
      endMs,
      scheduled: this.scheduled,
      cancelled: this.cancelled,
      interrupted,
      samples: this.series.samples,
      totals,
      acknowledgedIds: this.acknowledged,
    };
  }

  private async waitUntil(dueMonotonicMs: number, index: number): Promise<void> {
    const signal = this.controller.signal;
    for (;;) {
      const waitMs = dueMonotonicMs - monotonicNowMs();
      if (waitMs < 1 || signal.aborted) break;
      await sleep(Math.min(waitMs, MAX_SLEEP_MS), undefined, { signal }).catch(() => {});
      this.series.closeBefore(this.runTime(monotonicNowMs()));
    }
    if (index % YIELD_EVERY_REQUESTS === YIELD_EVERY_REQUESTS - 1) {
      await new Promise(setImmediate);
    }
  }

  private dispatch(dueMonotonicMs: number): void {
    const { spec } = this.options;
    const tMs = this.runTime(dueMonotonicMs);
    this.series.closeBefore(tMs);
    const second = this.series.schedule(tMs);
    const request = this.options.planner.next();
    if (this.inFlight.size >= spec.maxInFlight) {
      this.series.complete(second, { kind: 'overload', latencyMs: null, checked: false });
      this.options.onRequest?.({
        name: request.name,
        scheduledMs: tMs,
        latencyMs: null,
        kind: 'overload',
      });
      return;
    }

    const pool = this.pools.pool(request.target);
    const path = this.pools.path(request.target, request.path);
    const sent = sendRequest(pool, path, request, spec.timeout, this.controller.signal).then(
      (result) => {
        this.inFlight.delete(sent);
        if (result.cancelled) {
          this.cancelled++;
          this.series.cancel(second);
          return;
        }
        const latencyMs = monotonicNowMs() - dueMonotonicMs;
        this.series.complete(second, { kind: result.kind, latencyMs, checked: result.checked });
        this.options.onRequest?.({
          name: request.name,
          scheduledMs: tMs,
          latencyMs,
          kind: result.kind,
        });
        if (result.kind === 'success' && request.acknowledgedId !== undefined) {
          this.acknowledged.add(request.acknowledgedId);
        }
      },
    );
    this.inFlight.add(sent);
  }

  private runTime(monotonicMs: number): number {
    return monotonicMs - this.options.runStartMonotonicMs;
  }
}
