import { request } from 'undici';
import { createLogger, type Logger } from '../../../common/src/log.ts';
import { loopbackUrl } from '../load/targets.ts';
import { poll } from './poll.ts';
import type { Timeline } from './timeline.ts';

export type ProbeCheck = 'liveness' | 'readiness';

export interface ProbeTarget {
  service: string;
  /** The service's base URL, such as `http://127.0.0.1:4100`. */
  url: string;
  livenessPath?: string;
  readinessPath?: string;
}

/** One probe result, recorded to the timeline as source `probe`, type `liveness` or `readiness`. */
export interface ProbeResult {
  service: string;
  check: ProbeCheck;
  ok: boolean;
  status: number | null;
  latencyMs: number;
  /** Why the probe failed without an HTTP status: `timeout` or the error code. */
  error?: string;
}

export interface ProberOptions {
  targets: ProbeTarget[];
  timeline: Timeline;
  intervalMs?: number;
  timeoutMs?: number;
  logger?: Logger;
}

/**
 * Probes every node service's liveness (`/healthz`) and readiness (`/readyz`) endpoints on an
 * interval (default 500 ms, each probe timing out after 300 ms) and records each result. A probe
 * succeeds on any 2xx status.
 */
export class Prober {
  private readonly controller = new AbortController();
  private readonly logger: Logger;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: ProberOptions) {
    this.logger = options.logger ?? createLogger('prober');
    for (const target of options.targets) loopbackUrl(target.service, target.url);
  }

  start(): void {
    this.loop ??= poll(
      this.options.intervalMs ?? 500,
      () => this.probeAll().then(() => undefined),
      this.controller.signal,
      this.logger,
    );
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.loop;
  }

  /** Probes every target once, in parallel, and records the results. */
  async probeAll(): Promise<ProbeResult[]> {
    const probes = this.options.targets.flatMap((target) => [
      this.probe(target, 'liveness', target.livenessPath ?? '/healthz'),
      this.probe(target, 'readiness', target.readinessPath ?? '/readyz'),
    ]);
    const results = await Promise.all(probes);
    for (const result of results) this.options.timeline.record('probe', result.check, result);
    return results;
  }

  private async probe(target: ProbeTarget, check: ProbeCheck, path: string): Promise<ProbeResult> {
    const startedMs = performance.now();
    const base = { service: target.service, check };
    try {
      const response = await request(new URL(path, target.url), {
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 300),
      });
      await response.body.dump();
      const ok = response.statusCode >= 200 && response.statusCode < 300;
      return { ...base, ok, status: response.statusCode, latencyMs: performance.now() - startedMs };
    } catch (error) {
      const code = (error as { code?: string; name?: string }).code ?? (error as Error).name;
      const reason = (error as Error).name === 'TimeoutError' ? 'timeout' : code;
      return {
        ...base,
        ok: false,
        status: null,
        latencyMs: performance.now() - startedMs,
        error: reason,
      };
    }
  }
}
