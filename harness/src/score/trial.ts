import { explains } from './attribution.ts';
import { judgeExpectations } from './expectations.ts';
import { scoreFault } from './fault.ts';
import type { Cleanup, RunRecord } from './record.ts';
import type { FalseAlarm, FaultResult, RunStatus, TrialResult, Verdict } from './scorecard.ts';

/** Scores one trial: every fault's phase times, false alarms, expectations, cleanup and status. */

/** Healer detections that no fault explains, by service and time (grace after revert included). */
export function findFalseAlarms(record: RunRecord): FalseAlarm[] {
  const context = {
    edges: record.topologyEdges,
    graceMs: record.experiment.falseAlarmGraceMs,
    endMs: record.phases.endMs,
  };
  return record.healerEvents
    .filter((event) => event.kind === 'detected')
    .filter((event) => !record.faults.some((fault) => explains(fault, event, context)))
    .sort((a, b) => a.tMs - b.tMs)
    .map(({ tMs, service, signal, incidentId }) => ({ tMs, service, signal, incidentId }));
}

/** Describes each thing left behind, one line each: a toxic, an unhealthy service, a stopped process. */
export function cleanupProblems(cleanup: Cleanup): string[] {
  return [
    ...cleanup.toxicsLeft.map((toxic) => `toxic still installed: ${toxic}`),
    ...cleanup.unhealthy.map((service) => `service unhealthy after revert: ${service}`),
    ...cleanup.stoppedProcesses.map((name) => `process left stopped: ${name}`),
  ];
}

function faultReasons(faults: FaultResult[]): string[] {
  const reasons: string[] = [];
  for (const fault of faults) {
    if (!fault.injected) {
      reasons.push(
        `fault ${fault.name} was not injected${fault.injectError ? `: ${fault.injectError}` : ''}`,
      );
    } else if (!fault.landed) {
      reasons.push(`fault ${fault.name} never landed: no SLI left its band and no request failed`);
    }
    if (fault.revertError)
      reasons.push(`fault ${fault.name} failed to revert: ${fault.revertError}`);
  }
  return reasons;
}

/**
 * Decides the trial's status, checking the worst first: interrupted, errored, inconclusive because a fault did not land
 * (the experiment did not test what it meant to), failed, inconclusive because an expectation had no
 * data, passed.
 */
function decideStatus(
  record: RunRecord,
  faults: FaultResult[],
  verdicts: Verdict[],
  problems: string[],
): { status: RunStatus; reasons: string[] } {
  const failed = verdicts.filter((verdict) => verdict.status === 'failed');
  const noData = verdicts.filter((verdict) => verdict.status === 'no_data');
  const reasons = [
    ...(record.error ? [`error: ${record.error}`] : []),
    ...faultReasons(faults),
    ...failed.map((verdict) => `${verdict.name} failed: ${verdict.message}`),
    ...noData.map((verdict) => `${verdict.name} had no data: ${verdict.message}`),
    ...problems,
  ];

  if (record.interrupted) return { status: 'interrupted', reasons: ['interrupted', ...reasons] };
  if (record.error !== undefined) return { status: 'errored', reasons };
  if (faults.some((fault) => !fault.landed)) return { status: 'inconclusive', reasons };
  if (failed.length > 0 || problems.length > 0) return { status: 'failed', reasons };
  if (noData.length > 0 || record.samples.length === 0) {
    const empty = record.samples.length === 0 ? ['no SLI samples were recorded'] : [];
    return { status: 'inconclusive', reasons: [...reasons, ...empty] };
  }
  return { status: 'passed', reasons };
}

/**
 * Marks a failed verdict of an interrupted trial as not scored when it failed for want of an
 * observation (never detected, never recovered), because the trial stopped before that phase.
 */
function notScoredWhenCut(verdict: TrialResult['expectations'][number]) {
  if (verdict.status !== 'failed' || verdict.observed !== null) return verdict;
  return {
    ...verdict,
    status: 'no_data' as const,
    message: `not scored, the run was interrupted: ${verdict.message}`,
  };
}

export function scoreTrial(record: RunRecord): TrialResult {
  const faults = record.faults.map((fault) => scoreFault(record, fault));
  const falseAlarms = findFalseAlarms(record);
  const judged = judgeExpectations({ record, faults, falseAlarms });
  const expectations = record.interrupted ? judged.map(notScoredWhenCut) : judged;
  const problems = cleanupProblems(record.cleanup);
  const { status, reasons } = decideStatus(record, faults, expectations, problems);

  return {
    trial: record.trial,
    runId: record.runId,
    seed: record.seed,
    startedAtWall: record.startedAtWall,
    status,
    statusReasons: reasons,
    phases: record.phases,
    sampleCount: record.samples.length,
    faults,
    falseAlarms,
    dataLoss: record.dataLoss,
    expectations,
    cleanup: { ...record.cleanup, clean: problems.length === 0 },
    error: record.error,
  };
}
