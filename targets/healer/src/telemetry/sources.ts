import type { SourceSpec } from '../policy/schema.ts';
import type { CanaryStats } from './canary-stats.ts';
import { type MetricSample, sumMatching } from './metrics.ts';
import type { ProbeResult } from './probe.ts';

export interface Scrape {
  atMs: number;
  samples: MetricSample[];
  malformed: number;
}

/** The last two scrapes of each service: enough for rates and interval means. */
export class MetricStore {
  private readonly scrapes = new Map<string, [Scrape | undefined, Scrape]>();

  add(service: string, scrape: Scrape): void {
    const previous = this.scrapes.get(service)?.[1];
    this.scrapes.set(service, [previous, scrape]);
  }

  latest(service: string): Scrape | undefined {
    return this.scrapes.get(service)?.[1];
  }

  pair(service: string): [Scrape, Scrape] | undefined {
    const pair = this.scrapes.get(service);
    return pair?.[0] === undefined ? undefined : [pair[0], pair[1]];
  }
}

/** Recent probe results per service and probe kind. */
export class ProbeHistory {
  private readonly results = new Map<string, ProbeResult[]>();

  constructor(readonly keep = 20) {}

  add(service: string, kind: string, result: ProbeResult): void {
    const key = `${service}/${kind}`;
    const list = this.results.get(key) ?? [];
    list.push(result);
    if (list.length > this.keep) list.shift();
    this.results.set(key, list);
  }

  recent(service: string, kind: string, count: number): ProbeResult[] {
    return (this.results.get(`${service}/${kind}`) ?? []).slice(-count);
  }
}

export interface TelemetryState {
  metrics: MetricStore;
  probes: ProbeHistory;
  canary: CanaryStats | undefined;
  /** Window over which canary latency and error rate are averaged. */
  canaryWindowMs: number;
}

/** Reads a numeric signal for one service; undefined means no data yet (a detector then holds). */
export function readSource(
  source: SourceSpec,
  service: string,
  state: TelemetryState,
  nowMs: number,
): number | undefined {
  if ('probeLatency' in source) {
    const results = state.probes.recent(service, source.probeLatency, source.samples);
    if (results.length < source.samples) return undefined;
    return results.reduce((total, result) => total + result.latencyMs, 0) / results.length;
  }
  if ('canary' in source) {
    const recent = state.canary?.recent(nowMs, state.canaryWindowMs);
    if (recent === undefined) return undefined;
    return source.canary === 'latency' ? recent.latencyMs : recent.errorRate;
  }
  if (source.kind === 'gauge') {
    const latest = state.metrics.latest(service);
    return latest && sumMatching(latest.samples, source.metric, source.labels);
  }
  return readDelta(source, state.metrics.pair(service));
}

function readDelta(
  source: Extract<SourceSpec, { metric: string }>,
  pair: [Scrape, Scrape] | undefined,
): number | undefined {
  if (pair === undefined) return undefined;
  const [before, after] = pair;
  const delta = (name: string) => {
    const start = sumMatching(before.samples, name, source.labels);
    const end = sumMatching(after.samples, name, source.labels);
    if (start === undefined || end === undefined || end < start) return undefined;
    return end - start;
  };
  const ratioOf = (numerator: number | undefined, denominator: number | undefined) =>
    numerator === undefined || denominator === undefined || denominator === 0
      ? undefined
      : numerator / denominator;

  if (source.kind === 'rate')
    return ratioOf(delta(source.metric), (after.atMs - before.atMs) / 1_000);
  if (source.kind === 'mean')
    return ratioOf(delta(`${source.metric}_sum`), delta(`${source.metric}_count`));
  return ratioOf(delta(source.metric), delta(source.denominator ?? `${source.metric}_total`));
}
