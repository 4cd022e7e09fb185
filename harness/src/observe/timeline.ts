import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { monotonicNowMs } from '../../../common/src/clock.ts';
import { createLogger, type Logger } from '../../../common/src/log.ts';
import type { LoadSample } from '../load/series.ts';

/** Origin of a timeline entry. */
export type TimelineSource = 'load' | 'probe' | 'metrics' | 'healer' | 'fault' | 'harness';

/** One observation, placed at `tMs` milliseconds since the run's start on the monotonic clock. */
export interface TimelineEntry<Data = unknown> {
  tMs: number;
  source: TimelineSource;
  /** Kind of observation within its source, such as `sli`, `liveness`, `detected` or `injected`. */
  type: string;
  data: Data;
}

export interface TimelineQuery {
  source?: TimelineSource;
  type?: string;
  /** Inclusive window bounds in run time. */
  fromMs?: number;
  toMs?: number;
}

/** Upper bound on stored entries, about 6 h of five services probed twice a second, plus margin. */
export const MAX_TIMELINE_ENTRIES = 2_000_000;

/**
 * The one ordered store of everything observed in a run: SLI samples, probe results, metrics,
 * healer events, fault records and harness phases. Entries may arrive late (an SLI second is
 * complete only when its requests end), so `add` keeps them sorted by time, stable for ties.
 */
export class Timeline {
  private readonly store: TimelineEntry[] = [];
  /** The same entries grouped by `source` and by `source/type`, each group in time order. */
  private readonly groups = new Map<string, TimelineEntry[]>();
  private readonly logger: Logger;
  private dropped = 0;

  constructor(
    /** The run's start on the monotonic clock (`monotonicNowMs`). */
    readonly runStartMonotonicMs: number,
    logger?: Logger,
  ) {
    this.logger = logger ?? createLogger('timeline');
  }

  /** Milliseconds since the run's start. */
  nowMs(): number {
    return monotonicNowMs() - this.runStartMonotonicMs;
  }

  add<Data>(entry: TimelineEntry<Data>): void {
    if (this.store.length >= MAX_TIMELINE_ENTRIES) {
      this.dropped++;
      if (this.dropped === 1)
        this.logger.warn({ max: MAX_TIMELINE_ENTRIES }, 'timeline full, dropping entries');
      return;
    }
    insertSorted(this.store, entry);
    for (const key of [entry.source, `${entry.source}/${entry.type}`]) {
      let group = this.groups.get(key);
      if (!group) {
        group = [];
        this.groups.set(key, group);
      }
      insertSorted(group, entry);
    }
  }

  /** Adds an entry stamped with the current run time. */
  record<Data>(source: TimelineSource, type: string, data: Data): void {
    this.add({ tMs: this.nowMs(), source, type, data });
  }

  /** Adds one second of the load generator's SLI series. Its time is the end of that second. */
  addSample(sample: LoadSample): void {
    this.add({ tMs: sample.tMs, source: 'load', type: 'sli', data: sample });
  }

  /** Entries that match every field of `query`, in time order. A window is found by binary search. */
  entries<Data = unknown>(query: TimelineQuery = {}): TimelineEntry<Data>[] {
    let candidates = this.store;
    if (query.source !== undefined) {
      const key = query.type === undefined ? query.source : `${query.source}/${query.type}`;
      candidates = this.groups.get(key) ?? [];
    }
    const from = query.fromMs === undefined ? 0 : firstIndexAtOrAfter(candidates, query.fromMs);
    const to =
      query.toMs === undefined ? candidates.length : firstIndexAfter(candidates, query.toMs);
    const window = candidates.slice(from, Math.max(from, to));
    const matching =
      query.source === undefined && query.type !== undefined
        ? window.filter((entry) => entry.type === query.type)
        : window;
    return matching as TimelineEntry<Data>[];
  }

  /** SLI samples whose second ends in `[fromMs, toMs]`. */
  samples(fromMs = Number.NEGATIVE_INFINITY, toMs = Number.POSITIVE_INFINITY): LoadSample[] {
    return this.entries<LoadSample>({ source: 'load', type: 'sli', fromMs, toMs }).map(
      (entry) => entry.data,
    );
  }

  get size(): number {
    return this.store.length;
  }

  /** Entries that did not fit under `MAX_TIMELINE_ENTRIES`. */
  get droppedCount(): number {
    return this.dropped;
  }

  /** Writes every entry in time order to `file` as JSON Lines (`events.jsonl`). */
  async writeJsonl(file: string): Promise<void> {
    const stream = createWriteStream(file, { encoding: 'utf8' });
    for (const entry of this.store) {
      if (!stream.write(`${JSON.stringify(entry)}\n`)) await once(stream, 'drain');
    }
    stream.end();
    await once(stream, 'finish');
  }
}

/** Inserts `entry` after every entry at or before its time; a scan from the end, as most arrive in order. */
function insertSorted(entries: TimelineEntry[], entry: TimelineEntry): void {
  let index = entries.length;
  while (index > 0 && (entries[index - 1] as TimelineEntry).tMs > entry.tMs) index--;
  entries.splice(index, 0, entry);
}

function firstIndexAtOrAfter(entries: readonly TimelineEntry[], tMs: number): number {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((entries[middle] as TimelineEntry).tMs < tMs) low = middle + 1;
    else high = middle;
  }
  return low;
}

function firstIndexAfter(entries: readonly TimelineEntry[], tMs: number): number {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((entries[middle] as TimelineEntry).tMs <= tMs) low = middle + 1;
    else high = middle;
  }
  return low;
}
