import { setMaxListeners } from 'node:events';
import type { Logger } from '../../../../common/src/log.ts';
import type { Actuator } from '../actuators/actuator.ts';
import type { AdminClient } from '../actuators/admin.ts';
import type { Policy } from '../policy/schema.ts';
import { loadGoldenSet, runCanary } from '../telemetry/canary.ts';
import { CanaryStats } from '../telemetry/canary-stats.ts';
import { runProbeLoop, runScrapeLoop } from '../telemetry/loops.ts';
import type { ProbeResult } from '../telemetry/probe.ts';
import { MetricStore, ProbeHistory, type TelemetryState } from '../telemetry/sources.ts';
import { actionFor } from './actions.ts';
import { PlaybookActivity } from './activity.ts';
import { ApprovalDesk } from './approvals.ts';
import { buildDetectors, type DetectorInstance, type Feed } from './detector-set.ts';
import type { EventLog } from './event-log.ts';
import { IncidentBoard } from './incidents.ts';
import { Playbook } from './playbook.ts';

export interface HealerOptions {
  policy: Policy;
  serviceUrls: ReadonlyMap<string, string>;
  actuator: Actuator;
  admin: AdminClient;
  events: EventLog;
  log: Logger;
  nowMs: () => number;
}

/**
 * The healer's core: telemetry loops feed detectors, detectors open and close incidents, and
 * incidents start playbooks. Everything lives in memory for one run; `stop` ends every loop.
 */
export class Healer {
  readonly approvals: ApprovalDesk;
  private readonly board: IncidentBoard;
  private readonly detectors: DetectorInstance[];
  private readonly state: TelemetryState;
  private readonly controller = new AbortController();
  private readonly loops: Promise<void>[] = [];
  private readonly playbooks: Playbook[] = [];

  constructor(private readonly options: HealerOptions) {
    const { policy, events, nowMs } = options;
    this.detectors = buildDetectors(policy, [...options.serviceUrls.keys()]);
    this.board = new IncidentBoard(events, nowMs);
    this.approvals = new ApprovalDesk(policy.approvals, events, nowMs);
    const canary = policy.telemetry.canary;
    this.state = {
      metrics: new MetricStore(),
      probes: new ProbeHistory(),
      canary: canary && new CanaryStats(canary.window, baselineSamples(policy)),
      canaryWindowMs: canary ? canary.interval * 3 : 0,
    };
    this.wirePlaybooks();
  }

  start(): void {
    const { policy, serviceUrls, log, nowMs } = this.options;
    // Every loop, playbook and approval listens on this one signal.
    setMaxListeners(0, this.controller.signal);
    const telemetry = policy.telemetry;
    const signal = this.controller.signal;
    for (const [service, url] of serviceUrls) {
      for (const kind of ['liveness', 'readiness'] as const) {
        const settings = telemetry[kind];
        const loop = runProbeLoop(
          {
            url: `${url}${settings.path}`,
            timeoutMs: settings.timeout,
            intervalMs: telemetry.probeInterval,
            confirmIntervalMs: telemetry.confirmInterval,
            onResult: (result) => this.onProbe(service, kind, result),
          },
          signal,
        );
        this.loops.push(loop);
      }
      if (
        this.detectors.some(
          (detector) => detector.feed === 'scrape' && detector.service === service,
        )
      ) {
        const options = {
          service,
          url: `${url}/metrics`,
          timeoutMs: telemetry.scrapeTimeout,
          intervalMs: telemetry.scrapeInterval,
        };
        const onScrape = () => this.evaluate('scrape', service);
        this.loops.push(
          runScrapeLoop({ ...options, store: this.state.metrics, nowMs, onScrape, log }, signal),
        );
      }
    }
    this.startCanary(signal);
  }

  /**
   * Ends every loop and remediation, then switches off each degraded mode a reverting playbook
   * left on. A stopped healer can no longer watch for the signal to clear, so a mode left on
   * would outlive its fault. The harness, for one, starts a fresh healer per trial on the same
   * stack.
   */
  async stop(): Promise<void> {
    this.controller.abort();
    await Promise.allSettled(this.loops);
    await Promise.allSettled(this.playbooks.map((playbook) => playbook.revertAll()));
  }

  private startCanary(signal: AbortSignal): void {
    const canary = this.options.policy.telemetry.canary;
    const stats = this.state.canary;
    if (canary === undefined || stats === undefined) return;
    const via = this.options.serviceUrls.get(canary.via);
    if (via === undefined)
      throw new Error(`canary.via names "${canary.via}", which is not a node service`);
    const options = {
      classifyUrl: `${via}/v1/classify`,
      examples: loadGoldenSet(canary.golden),
      batchSize: canary.batchSize,
      intervalMs: canary.interval,
      timeoutMs: canary.timeout,
      stats,
      nowMs: this.options.nowMs,
      onBatch: () => this.evaluate('canary'),
      log: this.options.log,
    };
    this.loops.push(runCanary(options, signal));
  }

  private onProbe(service: string, kind: 'liveness' | 'readiness', result: ProbeResult): void {
    this.state.probes.add(service, kind, result);
    this.evaluate(`probe:${kind}`, service, result);
  }

  private evaluate(feed: Feed, service?: string, probe?: ProbeResult): void {
    const now = this.options.nowMs();
    for (const detector of this.detectors) {
      if (detector.feed !== feed || (service !== undefined && detector.service !== service))
        continue;
      try {
        const verdict = detector.evaluate(this.state, now, probe);
        if (verdict !== undefined)
          this.board.update(detector.name, detector.service, detector.signal, verdict);
      } catch (error) {
        this.options.log.error(
          { err: error, detector: detector.name, service: detector.service },
          'detector failed',
        );
      }
    }
  }

  private wirePlaybooks(): void {
    const { policy, actuator, admin, events, log, nowMs } = this.options;
    const signal = this.controller.signal;
    const activity = new PlaybookActivity(nowMs);
    for (const spec of policy.playbooks) {
      const playbook = new Playbook(spec, {
        events,
        signals: this.board,
        activity,
        requestApproval: (request, abort) => this.approvals.request(request, abort),
        needsApproval: policy.approvals.requiredFor.includes(spec.action),
        act: actionFor(spec, actuator, admin),
        nowMs,
        log: log.child({ playbook: spec.name }),
      });
      this.playbooks.push(playbook);
      this.board.onDetection((trigger) => {
        if (spec.on.includes(trigger.detector)) void playbook.handle(trigger, signal);
      });
    }
  }
}

/** Samples a model version needs before it becomes the baseline of the quality detectors. */
function baselineSamples(policy: Policy): number {
  const counts = policy.detectors.flatMap((detector) =>
    detector.type === 'canary-accuracy' || detector.type === 'canary-drift'
      ? [detector.minSamples]
      : [],
  );
  return Math.max(20, ...counts);
}
