import type { HealerEventKind } from '../../common/src/events.ts';
import type { FaultRecord, RunRecord, SliSample, TimedHealerEvent } from '../src/score/record.ts';

/**
 * Scripted timelines for scoring tests: a healthy per-second sample stream that a test bends where
 * it wants impact, plus healer events at chosen times. Baseline 0–10 s, method 10–40 s, end 45 s.
 */

export const healthySample = (tMs: number): SliSample => ({
  tMs,
  intervalMs: 1_000,
  requests: 50,
  successes: 50,
  errorsByKind: {},
  errorRate: 0,
  latencyP50Ms: 20,
  latencyP95Ms: 40,
  latencyP99Ms: 60,
  throughputRps: 50,
  probe: 1,
});

/** Builds a sample whose interval had this ratio of failed requests. */
export const failingSample = (tMs: number, errorRate = 0.5): SliSample => {
  const failures = Math.round(50 * errorRate);
  return {
    ...healthySample(tMs),
    successes: 50 - failures,
    errorsByKind: { http_5xx: failures },
    errorRate,
    throughputRps: 50 - failures,
  };
};

/** One sample per second up to `endMs`; `bend` replaces the healthy sample where it returns one. */
export function samples(
  bend: (tMs: number) => SliSample | undefined = () => undefined,
  endMs = 45_000,
): SliSample[] {
  const result: SliSample[] = [];
  for (let tMs = 1_000; tMs <= endMs; tMs += 1_000) result.push(bend(tMs) ?? healthySample(tMs));
  return result;
}

let seq = 0;
export function event(
  kind: HealerEventKind,
  tMs: number,
  service: string,
  extra: Partial<TimedHealerEvent> = {},
): TimedHealerEvent {
  seq += 1;
  return {
    schemaVersion: 1,
    seq,
    kind,
    tMs,
    monotonicMs: 1_000_000 + tMs,
    wallTime: new Date(Date.UTC(2025, 0, 1) + tMs).toISOString(),
    service,
    signal: 'probe.readiness',
    evidence: {},
    incidentId: 'incident-1',
    ...extra,
  };
}

export const killModel = (overrides: Partial<FaultRecord> = {}): FaultRecord => ({
  name: 'kill-model',
  kind: 'kill',
  target: { kind: 'service', service: 'model' },
  plannedAtMs: 12_000,
  plannedDurationMs: 18_000,
  injectedAtMs: 12_000,
  revertedAtMs: 30_000,
  ...overrides,
});

export function record(overrides: Partial<RunRecord> = {}): RunRecord {
  const experiment = {
    name: 'model-crash',
    file: 'experiments/model-crash.yaml',
    apiVersion: 'rebound.dev/v1',
    expectedOutcome: 'pass' as const,
    steadyState: { error_rate: { max: 0.05 }, latency_p95: { max: 500 } },
    expectations: { detectWithinMs: 5_000, recoverWithinMs: 10_000 },
    faults: [],
    healer: { enabled: true, approvalPolicy: 'auto' as const },
    load: { rps: 50, warmupMs: 2_000, durationMs: 40_000 },
    holdWindowMs: 3_000,
    falseAlarmGraceMs: 5_000,
    trials: 1,
  };
  return {
    experiment,
    runId: 'run-1',
    trial: 1,
    seed: 7,
    startedAtWall: '2025-01-01T00:00:00.000Z',
    runtime: 'process',
    phases: {
      baselineStartMs: 0,
      baselineEndMs: 10_000,
      methodStartMs: 10_000,
      methodEndMs: 40_000,
      revertedAtMs: 30_000,
      endMs: 45_000,
    },
    samples: samples(),
    faults: [killModel()],
    healerEvents: [],
    cleanup: { toxicsLeft: [], unhealthy: [], stoppedProcesses: [] },
    topologyEdges: [
      { from: 'gateway', to: 'model' },
      { from: 'gateway', to: 'indexer' },
      { from: 'indexer', to: 'postgres' },
      { from: 'ingest', to: 'redis' },
    ],
    interrupted: false,
    ...overrides,
  };
}

/** Errors from the inject at 12 s until `untilMs`, which the samples show to the second. */
export const outageUntil = (untilMs: number) =>
  samples((tMs) => (tMs > 12_000 && tMs - 1_000 < untilMs ? failingSample(tMs) : undefined));
