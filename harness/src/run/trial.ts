import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { monotonicNowMs } from '../../../common/src/clock.ts';
import type { Logger } from '../../../common/src/log.ts';
import type { ResolvedExperiment } from '../experiment/types.ts';
import { FaultLedger } from '../faults/ledger.ts';
import { type LoadResult, runLoad } from '../load/generator.ts';
import { RequestPlanner } from '../load/plan.ts';
import type { LoadSample } from '../load/series.ts';
import { HealerEventReader } from '../observe/healer-events.ts';
import { type ProbeResult, Prober } from '../observe/prober.ts';
import { Timeline } from '../observe/timeline.ts';
import type { Cleanup, DataLoss, FaultRecord, RunRecordInput } from '../score/record.ts';
import { AbortMonitor } from './abort.ts';
import { checkDataLoss } from './data-loss.ts';
import { faultTarget, walkFaultTimeline } from './fault-timeline.ts';
import { HealerProcess } from './healer.ts';
import type { Progress } from './progress.ts';
import { recordExperiment } from './record.ts';
import { probeRatio, sliSamples, toSliSample } from './samples.ts';
import type { Stack } from './stack.ts';
import { steadyStateProblem } from './steady-state.ts';

/** Interval at which the data-loss check repeats its lookup while writes drain. */
const DRAIN_POLL_MS = 500;

export interface TrialOptions {
  experiment: ResolvedExperiment;
  stack: Stack;
  trial: number;
  runId: string;
  reportDir: string;
  /** Aborts on the first interrupt. */
  interrupt: AbortSignal;
  logger: Logger;
  progress: Progress;
}

export interface TrialOutcome {
  record: RunRecordInput;
  timeline: Timeline;
  /** Set when an abort condition stopped the method early. */
  abortReason?: string;
}

/** Phase times of one trial in run time, filled in as the trial goes. */
export interface PhaseTimes {
  baselineStartMs: number;
  baselineEndMs: number;
  methodStartMs: number;
  methodEndMs: number;
  revertedAtMs?: number;
}

/**
 * Runs one trial of the method on a stack at a clean slate. The healer, load and probes start, and
 * the baseline window checks the steady state. Then the fault timeline runs, every fault is
 * reverted (ledger, newest first) and the cleanup is checked. The load runs out the recovery hold
 * window, and acknowledged writes are looked up. An interrupt or an abort condition skips ahead to
 * the reverts.
 */
export async function runTrial(options: TrialOptions): Promise<TrialOutcome> {
  return await new Trial(options).run();
}

class Trial {
  private readonly timeline: Timeline;
  private readonly ledger: FaultLedger;
  /** Aborts the method on an interrupt or an abort condition. */
  private readonly method = new AbortController();
  private readonly loadStop = new AbortController();
  private readonly phases: PhaseTimes = {
    baselineStartMs: 0,
    baselineEndMs: 0,
    methodStartMs: 0,
    methodEndMs: 0,
  };
  private healer: HealerProcess | undefined;
  private reader: HealerEventReader | undefined;
  private prober: Prober | undefined;
  private load: Promise<LoadResult> | undefined;
  private faults: FaultRecord[];
  private abortReason: string | undefined;
  private error: string | undefined;

  constructor(private readonly options: TrialOptions) {
    this.timeline = new Timeline(monotonicNowMs(), options.logger.child({ module: 'timeline' }));
    this.ledger = new FaultLedger(options.logger.child({ module: 'ledger' }));
    this.faults = options.experiment.faults.map((spec) => ({
      name: spec.name,
      kind: spec.kind,
      target: faultTarget(spec, options.experiment.topology),
      plannedAtMs: spec.atMs,
      plannedDurationMs: spec.durationMs,
    }));
  }

  async run(): Promise<TrialOutcome> {
    const startedAtWall = new Date().toISOString();
    const { interrupt } = this.options;
    const forward = () => this.method.abort(interrupt.reason);
    interrupt.addEventListener('abort', forward, { once: true });
    try {
      await this.options.stack.cleanSlate();
      await this.startObservers();
      this.startLoad();
      await this.baseline();
      if (this.error === undefined && !this.method.signal.aborted) await this.walkFaults();
    } catch (caught) {
      if (!interrupt.aborted) {
        this.error = (caught as Error).message;
        this.options.logger.error({ err: caught }, 'trial failed');
      }
    } finally {
      interrupt.removeEventListener('abort', forward);
      this.phases.methodEndMs = this.timeline.nowMs();
      await this.revertAll();
      this.phases.revertedAtMs = this.timeline.nowMs();
    }

    const cleanup = await this.checkCleanup();
    const result = await this.finishLoad();
    const dataLoss = await this.lookupWrites(result);
    await this.stopObservers();
    return {
      record: this.record(startedAtWall, cleanup, dataLoss),
      timeline: this.timeline,
      abortReason: this.abortReason,
    };
  }

  private phase(name: string): void {
    this.timeline.record('harness', 'phase', { phase: name, trial: this.options.trial });
    this.options.progress.phase(name);
  }

  private async startObservers(): Promise<void> {
    const { experiment, stack, logger, reportDir, trial } = this.options;
    if (experiment.healer.enabled) {
      this.phase('healer');
      this.healer = new HealerProcess(
        experiment,
        {
          endpointsFile: join(stack.runtimeDir, 'endpoints.json'),
          eventsFile: join(reportDir, `healer-events-${trial}.jsonl`),
          logFile: join(reportDir, 'logs', 'healer.log'),
          infoFile: join(stack.runtimeDir, 'healer.json'),
        },
        logger.child({ module: 'healer' }),
      );
      await this.healer.start(this.options.interrupt);
      this.reader = new HealerEventReader({
        healerUrl: this.healer.url,
        token: this.healer.token,
        timeline: this.timeline,
        logger: logger.child({ module: 'healer-events' }),
      });
      this.reader.start();
    }
    this.prober = new Prober({
      targets: this.probeTargets(),
      timeline: this.timeline,
      logger: logger.child({ module: 'prober' }),
    });
    this.prober.start();
  }

  private startLoad(): void {
    const { experiment, logger, trial } = this.options;
    this.phase('warmup');
    const monitor = new AbortMonitor(experiment.abort);
    const loadStartMs = this.timeline.nowMs();
    this.phases.baselineStartMs = loadStartMs + experiment.load.warmup;
    this.phases.baselineEndMs = this.phases.baselineStartMs + experiment.baselineMs;
    this.load = runLoad({
      spec: experiment.load,
      targets: this.loadTargets(),
      planner: RequestPlanner.fromFiles(
        experiment.load,
        dirname(experiment.file),
        experiment.seed + trial - 1,
      ),
      runStartMonotonicMs: this.timeline.runStartMonotonicMs,
      signal: this.loadStop.signal,
      logger: logger.child({ module: 'load' }),
      onSample: (sample) => this.onSample(sample, monitor),
    });
    // Awaited in finishLoad; this keeps an early failure from being reported as unhandled.
    this.load.catch(() => {});
  }

  private onSample(sample: LoadSample, monitor: AbortMonitor): void {
    this.timeline.addSample(sample);
    const probes = this.timeline.entries<ProbeResult>({ source: 'probe', type: 'readiness' });
    const probe = probeRatio(probes, sample);
    this.options.progress.sample(toSliSample(sample, probe), this.ledger.activeFaults());
    if (this.method.signal.aborted) return;
    const reason = monitor.check(sample, probe);
    if (!reason) return;
    this.abortReason = reason;
    this.timeline.record('harness', 'abort', { reason });
    this.options.progress.note(reason);
    this.method.abort(new Error(reason));
  }

  private async baseline(): Promise<void> {
    await this.sleepUntil(this.phases.baselineStartMs);
    this.phase('baseline');
    await this.sleepUntil(this.phases.baselineEndMs);
    this.options.interrupt.throwIfAborted();
    this.error = steadyStateProblem(this.timeline, this.options.experiment.bands, this.phases);
    if (this.error) this.options.progress.note(this.error);
  }

  private async walkFaults(): Promise<void> {
    const { experiment, stack, logger, progress } = this.options;
    this.phases.methodStartMs = this.timeline.nowMs();
    this.phase('method');
    this.faults = await walkFaultTimeline({
      faults: experiment.faults,
      methodStartMs: this.phases.methodStartMs,
      context: {
        runtime: stack.runtime,
        endpoints: stack.required(),
        toxiproxy: stack.client(),
        logger: logger.child({ module: 'faults' }),
      },
      ledger: this.ledger,
      timeline: this.timeline,
      topology: experiment.topology,
      signal: this.method.signal,
      logger,
      onChange: (change) => progress.fault(change.fault, change.event, change.detail),
    });
  }

  private async sleepUntil(runTimeMs: number): Promise<void> {
    const delayMs = runTimeMs - this.timeline.nowMs();
    if (delayMs <= 0) return;
    await sleep(delayMs, undefined, { signal: this.method.signal }).catch(() => {});
  }

  /** Reverts what is still in the ledger, newest first, and stamps the faults it reverted. */
  private async revertAll(): Promise<void> {
    if (this.ledger.activeFaults().length === 0) return;
    this.phase('revert');
    const failures = await this.ledger.revertAll();
    const nowMs = this.timeline.nowMs();
    for (const fault of this.faults) {
      if (fault.revertedAtMs !== undefined || fault.injectedAtMs === undefined) continue;
      const failure = failures.find((candidate) => candidate.fault === fault.name);
      if (failure) fault.revertError = String((failure.error as Error)?.message ?? failure.error);
      fault.revertedAtMs = nowMs;
      this.timeline.record('fault', 'reverted', { fault: fault.name, error: fault.revertError });
      this.options.progress.fault(fault.name, failure ? 'failed' : 'reverted', fault.revertError);
    }
  }

  private async checkCleanup(): Promise<Cleanup> {
    this.phase('cleanup check');
    try {
      const cleanup = await this.options.stack.check();
      this.timeline.record('harness', 'cleanup', cleanup);
      return cleanup;
    } catch (error) {
      this.options.logger.error({ err: error }, 'cleanup check failed');
      const reason = `cleanup check failed: ${(error as Error).message}`;
      return { toxicsLeft: [reason], unhealthy: [], stoppedProcesses: [] };
    }
  }

  /** Lets the load run out the recovery hold window, or stops it at once after an interrupt. */
  private async finishLoad(): Promise<LoadResult | undefined> {
    if (!this.load) return undefined;
    if (this.options.interrupt.aborted || this.error !== undefined) this.loadStop.abort();
    else this.phase('recovery hold');
    const stopOnInterrupt = () => this.loadStop.abort();
    this.options.interrupt.addEventListener('abort', stopOnInterrupt, { once: true });
    try {
      return await this.load.catch((error: unknown) => {
        this.error ??= `load generator failed: ${(error as Error).message}`;
        return undefined;
      });
    } finally {
      this.options.interrupt.removeEventListener('abort', stopOnInterrupt);
    }
  }

  private async lookupWrites(result: LoadResult | undefined): Promise<DataLoss | undefined> {
    const { experiment, interrupt, stack, logger } = this.options;
    const writer = experiment.load.mix.find((entry) => entry.acknowledges !== undefined);
    if (!writer || !result || interrupt.aborted) return undefined;
    this.phase('data-loss check');
    const { target, path, drainTimeoutMs } = experiment.dataLoss;
    const endpoints = stack.required();
    const url = new URL(path, endpoints.components[target]?.url);
    const deadlineMs = performance.now() + drainTimeoutMs;

    // Writes still in the queue are not lost yet, so the check repeats until every acknowledged
    // write is in the store or the drain timeout has passed.
    for (;;) {
      let lastError: Error | undefined;
      try {
        const loss = await checkDataLoss(url, result.acknowledgedIds, endpoints.adminToken, logger);
        if (loss.missing.length === 0 || performance.now() >= deadlineMs) return loss;
      } catch (error) {
        lastError = error as Error;
        logger.warn(
          { err: lastError },
          'data-loss lookup failed; retrying until the drain timeout',
        );
      }
      if (interrupt.aborted) return undefined;
      if (performance.now() >= deadlineMs) {
        this.error ??= `data-loss check failed: ${lastError?.message ?? 'no answer'}`;
        return undefined;
      }
      await sleep(DRAIN_POLL_MS, undefined, { signal: interrupt }).catch(() => {});
    }
  }

  private async stopObservers(): Promise<void> {
    await this.prober?.stop();
    await this.reader?.stop();
    await this.healer?.stop();
    this.options.progress.done();
  }

  private record(
    startedAtWall: string,
    cleanup: Cleanup,
    dataLoss: DataLoss | undefined,
  ): RunRecordInput {
    const { experiment, trial, runId } = this.options;
    return {
      experiment: recordExperiment(experiment),
      runId,
      trial,
      seed: experiment.seed + trial - 1,
      startedAtWall,
      runtime: experiment.runtime,
      phases: { ...this.phases, endMs: this.timeline.nowMs() },
      samples: sliSamples(this.timeline),
      faults: this.faults,
      healerEvents: this.reader?.events ?? [],
      dataLoss,
      cleanup,
      topologyEdges: experiment.topology.edges.map(({ from, to }) => ({ from, to })),
      interrupted: this.options.interrupt.aborted,
      error: this.error,
    };
  }

  private loadTargets(): Record<string, string> {
    const endpoints = this.options.stack.required();
    const names = this.options.experiment.load.mix.map((entry) => entry.target);
    return Object.fromEntries(
      names.map((name) => [name, endpoints.components[name]?.url as string]),
    );
  }

  private probeTargets() {
    const { experiment, stack } = this.options;
    const endpoints = stack.required();
    return experiment.probeServices.map((service) => {
      const component = experiment.topology.components[service];
      const health = component?.type === 'node' ? component.health : undefined;
      return {
        service,
        url: endpoints.components[service]?.url as string,
        livenessPath: health?.liveness,
        readinessPath: health?.readiness,
      };
    });
  }
}
