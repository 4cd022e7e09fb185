import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../../../../common/src/log.ts';
import { parsePrometheusText } from './metrics.ts';
import { type ProbeResult, probeOnce } from './probe.ts';
import type { MetricStore } from './sources.ts';

/** Runs `step` until the signal aborts, sleeping between steps for the delay `step` returns. */
export async function repeat(signal: AbortSignal, step: () => Promise<number>): Promise<void> {
  while (!signal.aborted) {
    const pauseMs = await step();
    try {
      await delay(pauseMs, undefined, { signal });
    } catch {
      return;
    }
  }
}

export interface ProbeLoopOptions {
  url: string;
  timeoutMs: number;
  intervalMs: number;
  /** Pause after a failed probe, shorter than the interval, so a failure is confirmed quickly. */
  confirmIntervalMs: number;
  onResult: (result: ProbeResult) => void;
}

/** Probes one endpoint on a fixed cadence: the next probe starts `intervalMs` after the last began. */
export function runProbeLoop(options: ProbeLoopOptions, signal: AbortSignal): Promise<void> {
  return repeat(signal, async () => {
    const result = await probeOnce(options.url, options.timeoutMs);
    if (signal.aborted) return 0;
    options.onResult(result);
    const pauseMs = result.ok ? options.intervalMs : options.confirmIntervalMs;
    return Math.max(0, pauseMs - (result.ok ? result.latencyMs : 0));
  });
}

export interface ScrapeLoopOptions {
  service: string;
  url: string;
  timeoutMs: number;
  intervalMs: number;
  store: MetricStore;
  nowMs: () => number;
  onScrape: () => void;
  log: Logger;
}

/** Scrapes `/metrics` of one service into the store. A failed scrape is logged once per streak. */
export function runScrapeLoop(options: ScrapeLoopOptions, signal: AbortSignal): Promise<void> {
  let failing = false;
  return repeat(signal, async () => {
    const startedAtMs = options.nowMs();
    try {
      const response = await fetch(options.url, { signal: AbortSignal.timeout(options.timeoutMs) });
      if (!response.ok) throw new Error(`status ${response.status}`);
      const { samples, malformed } = parsePrometheusText(await response.text());
      options.store.add(options.service, { atMs: options.nowMs(), samples, malformed });
      failing = false;
      options.onScrape();
    } catch (error) {
      if (!failing && !signal.aborted) {
        options.log.warn(
          { service: options.service, err: (error as Error).message },
          'metrics scrape failed',
        );
      }
      failing = true;
    }
    return Math.max(0, options.intervalMs - (options.nowMs() - startedAtMs));
  });
}
