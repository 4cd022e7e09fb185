import type { ResolvedExperiment } from '../experiment/types.ts';
import type { ResolvedExperiment as RecordedExperiment } from '../score/record.ts';
import { faultTarget } from './fault-timeline.ts';

/** The resolved experiment as the scorer and the scorecard carry it. */
export function recordExperiment(experiment: ResolvedExperiment): RecordedExperiment {
  return {
    name: experiment.name,
    file: experiment.displayFile,
    apiVersion: experiment.apiVersion,
    description: experiment.description,
    expectedOutcome: experiment.expectedOutcome,
    steadyState: experiment.bands,
    expectations: experiment.expectations,
    faults: experiment.faults.map((spec) => ({
      name: spec.name,
      kind: spec.kind,
      target: faultTarget(spec, experiment.topology),
      atMs: spec.atMs,
      durationMs: spec.durationMs,
      params: spec.params,
    })),
    healer: {
      enabled: experiment.healer.enabled,
      approvalPolicy: experiment.healer.approval.mode,
      approvalTimeoutMs: experiment.healer.approval.timeoutMs,
    },
    load: {
      rps: experiment.load.rate,
      warmupMs: experiment.load.warmup,
      durationMs: experiment.load.duration,
    },
    holdWindowMs: experiment.holdWindowMs,
    falseAlarmGraceMs: 10_000,
    trials: experiment.trials,
  };
}
