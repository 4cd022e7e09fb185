import { request } from 'undici';
import { createLogger, type Logger } from '../../../common/src/log.ts';
import { loopbackUrl } from '../load/targets.ts';
import { poll } from './poll.ts';
import { parsePrometheusText, summarizeCounters } from './prometheus.ts';
import type { Timeline } from './timeline.ts';

/** Counters the AI stack's services export, recorded unless the caller picks others. */
export const DEFAULT_COUNTERS = [
  'http_requests_total',
  'http_errors_total',
  'dependency_calls_total',
  'dependency_errors_total',
  'dependency_retries_total',
] as const;

export interface MetricsTarget {
  service: string;
  /** The service's base URL; metrics are read from `<url>/metrics`. */
  url: string;
}

/** One scrape, recorded to the timeline as source `metrics`, type `counters`. */
export interface CounterSnapshot {
  service: string;
  /** Each selected counter summed over its label sets. */
  totals: Record<string, number>;
  /** Each series of the selected counters, keyed as `name{label="value"}`. */
  series: Record<string, number>;
}

export interface MetricsScraperOptions {
  targets: MetricsTarget[];
  timeline: Timeline;
  counters?: readonly string[];
  intervalMs?: number;
  timeoutMs?: number;
  logger?: Logger;
}

/**
 * Scrapes each service's `/metrics` (Prometheus text) on an interval (default 1 s) and records
 * the selected counters. A failed scrape is logged and recorded as an error entry, never thrown.
 */
export class MetricsScraper {
  private readonly controller = new AbortController();
  private readonly logger: Logger;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: MetricsScraperOptions) {
    this.logger = options.logger ?? createLogger('metrics-scraper');
    for (const target of options.targets) loopbackUrl(target.service, target.url);
  }

  start(): void {
    this.loop ??= poll(
      this.options.intervalMs ?? 1_000,
      () => this.scrapeAll().then(() => undefined),
      this.controller.signal,
      this.logger,
    );
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.loop;
  }

  /** Scrapes every target once, in parallel, and records what it read. */
  async scrapeAll(): Promise<CounterSnapshot[]> {
    const results = await Promise.all(this.options.targets.map((target) => this.scrape(target)));
    return results.filter((result) => result !== undefined);
  }

  private async scrape(target: MetricsTarget): Promise<CounterSnapshot | undefined> {
    const { timeline } = this.options;
    try {
      const response = await request(new URL('/metrics', target.url), {
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 500),
      });
      const text = await response.body.text();
      if (response.statusCode !== 200)
        throw new Error(`GET /metrics returned HTTP ${response.statusCode}`);
      const counters = this.options.counters ?? DEFAULT_COUNTERS;
      const snapshot = {
        service: target.service,
        ...summarizeCounters(parsePrometheusText(text), counters),
      };
      timeline.record('metrics', 'counters', snapshot);
      return snapshot;
    } catch (error) {
      this.logger.warn({ err: error, service: target.service }, 'metrics scrape failed');
      timeline.record('metrics', 'scrape.failed', {
        service: target.service,
        error: String(error),
      });
      return undefined;
    }
  }
}
