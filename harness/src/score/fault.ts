import { quantile } from 'simple-statistics';
import { explains } from './attribution.ts';
import { breaches, findRecoveryMs, sampleStartMs } from './bands.ts';
import type { FaultRecord, RunRecord, SliSample, TimedHealerEvent } from './record.ts';
import type { FaultResult } from './scorecard.ts';

/**
 * Phase times of one fault in one trial: inject, impact, detect, acknowledge, mitigate, recover,
 * and the durations between them. Impact and recovery come from SLI samples, so they are exact to
 * one sampling interval; detection, acknowledgement and mitigation come from healer events.
 */

/** Samples whose interval ends after `fromMs` and starts before `toMs`. */
function samplesBetween(samples: SliSample[], fromMs: number, toMs: number): SliSample[] {
  return samples.filter((sample) => sample.tMs > fromMs && sampleStartMs(sample) < toMs);
}

/** End of the time the fault was active: its revert, or the end of the trial if it was never reverted. */
function activeUntilMs(record: RunRecord, fault: FaultRecord): number {
  if (fault.revertedAtMs !== undefined) return fault.revertedAtMs;
  return record.phases.endMs;
}

function findImpact(record: RunRecord, fault: FaultRecord, injectMs: number) {
  const { steadyState, holdWindowMs } = record.experiment;
  const untilMs = activeUntilMs(record, fault) + holdWindowMs;
  for (const sample of samplesBetween(record.samples, injectMs, untilMs)) {
    const found = breaches(sample, steadyState);
    if (found.length > 0) {
      const atMs = Math.max(injectMs, sampleStartMs(sample));
      return { atMs, slis: found.map(({ sli, value }) => ({ sli, value })) };
    }
  }
  return undefined;
}

function errorRatio(samples: SliSample[]): { errors: number; ratio: number } {
  const requests = samples.reduce((sum, sample) => sum + sample.requests, 0);
  const errors = samples.reduce((sum, sample) => sum + (sample.requests - sample.successes), 0);
  return { errors, ratio: requests === 0 ? 0 : errors / requests };
}

/**
 * Checks whether failed requests show the fault even though no SLI left its band: some requests failed
 * while it was active, at more than twice the baseline's error ratio.
 * NOTE: the factor of two is a guess, not calibrated on real runs; a noisy baseline can hide a fault.
 */
function errorsMoved(record: RunRecord, injectMs: number, untilMs: number): boolean {
  const { baselineStartMs, baselineEndMs } = record.phases;
  const baseline = errorRatio(samplesBetween(record.samples, baselineStartMs, baselineEndMs));
  const during = errorRatio(samplesBetween(record.samples, injectMs, untilMs));
  return during.errors > 0 && during.ratio > 2 * baseline.ratio;
}

function faultWindow(samples: SliSample[]): FaultResult['window'] {
  const requests = samples.reduce((sum, sample) => sum + sample.requests, 0);
  const successes = samples.reduce((sum, sample) => sum + sample.successes, 0);
  const p50s = samples.flatMap((sample) =>
    sample.latencyP50Ms === null ? [] : [sample.latencyP50Ms],
  );
  const p95s = samples.flatMap((sample) =>
    sample.latencyP95Ms === null ? [] : [sample.latencyP95Ms],
  );
  return {
    requests,
    successes,
    availability: requests === 0 ? null : successes / requests,
    latencyP50MedianMs: p50s.length === 0 ? null : quantile(p50s, 0.5),
    latencyP95MaxMs: p95s.length === 0 ? null : Math.max(...p95s),
  };
}

/** Healer events of the incidents that the fault explains, in time order. */
function explainedIncidentEvents(record: RunRecord, fault: FaultRecord): TimedHealerEvent[] {
  const context = {
    edges: record.topologyEdges,
    graceMs: record.experiment.falseAlarmGraceMs,
    endMs: record.phases.endMs,
  };
  const events = [...record.healerEvents].sort((a, b) => a.tMs - b.tMs);
  const detections = events.filter(
    (event) => event.kind === 'detected' && explains(fault, event, context),
  );
  const incidents = new Set(detections.map((event) => event.incidentId));
  const fromMs = fault.injectedAtMs ?? Number.POSITIVE_INFINITY;
  return events.filter((event) => event.tMs >= fromMs && incidents.has(event.incidentId));
}

function healerTimes(record: RunRecord, fault: FaultRecord) {
  const events = explainedIncidentEvents(record, fault);
  const detected = events.find((event) => event.kind === 'detected');
  const granted = events.find((event) => event.kind === 'approval.granted');
  const mitigated = events.find(
    (event) => event.kind === 'action.finished' && event.outcome === 'succeeded',
  );
  return { detected, granted, mitigated };
}

export function scoreFault(record: RunRecord, fault: FaultRecord): FaultResult {
  const base = {
    name: fault.name,
    kind: fault.kind,
    target: fault.target,
    injectError: fault.injectError,
    revertError: fault.revertError,
    tRevertMs: fault.revertedAtMs,
  };
  const injectMs = fault.injectedAtMs;
  if (injectMs === undefined) {
    const window = faultWindow([]);
    return { ...base, injected: false, landed: false, impactSlis: [], selfHealed: false, window };
  }

  const untilMs = activeUntilMs(record, fault);
  const impact = findImpact(record, fault, injectMs);
  const landedBy = impact
    ? 'sli'
    : fault.pathImpactAtMs !== undefined
      ? 'path'
      : errorsMoved(record, injectMs, untilMs)
        ? 'errors'
        : undefined;

  // Without an SLI breach there is nothing to recover from, so recovery is searched from the inject.
  const { steadyState, holdWindowMs } = record.experiment;
  const recoverMs = findRecoveryMs(
    record.samples,
    steadyState,
    impact?.atMs ?? injectMs,
    holdWindowMs,
  );
  const { detected, granted, mitigated } = healerTimes(record, fault);
  const ackMs = granted && detected && granted.tMs >= detected.tMs ? granted.tMs : undefined;

  return {
    ...base,
    injected: true,
    landed: landedBy !== undefined,
    landedBy,
    impactSlis: impact?.slis ?? [],
    tInjectMs: injectMs,
    tImpactMs: impact?.atMs ?? fault.pathImpactAtMs,
    tDetectMs: detected?.tMs,
    tAckMs: ackMs,
    tMitigateMs: mitigated?.tMs,
    tRecoverMs: recoverMs,
    ttdMs: detected ? detected.tMs - injectMs : undefined,
    ttaMs: ackMs !== undefined && detected ? ackMs - detected.tMs : undefined,
    ttmMs: mitigated ? mitigated.tMs - injectMs : undefined,
    ttrMs: recoverMs !== undefined ? recoverMs - injectMs : undefined,
    selfHealed: healedBeforeRevert(record, recoverMs, untilMs) && impact !== undefined,
    detectedBy: detected
      ? { service: detected.service, signal: detected.signal, incidentId: detected.incidentId }
      : undefined,
    window: faultWindow(samplesBetween(record.samples, injectMs, untilMs)),
  };
}

/**
 * Returns whether the first in-band sample of the recovery ended before the fault was reverted. A sample
 * that straddles the revert may owe its good values to the revert, so it does not count.
 */
function healedBeforeRevert(record: RunRecord, recoverMs: number | undefined, untilMs: number) {
  if (recoverMs === undefined) return false;
  const intervalMs = record.samples[0]?.intervalMs ?? 1_000;
  return recoverMs + intervalMs <= untilMs;
}
