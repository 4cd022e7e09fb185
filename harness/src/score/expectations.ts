import type { Expectations, RunRecord } from './record.ts';
import type { FalseAlarm, FaultResult, Verdict } from './scorecard.ts';

/**
 * Verdicts of one trial's expectations. Each verdict carries the observed number and the limit. A
 * verdict without data is `no_data`, which is never a pass: a fault that was not injected, a window
 * without requests, or a data-loss check that did not run.
 */

interface TrialFacts {
  record: RunRecord;
  faults: FaultResult[];
  falseAlarms: FalseAlarm[];
}

function noData(name: string, limit: Verdict['limit'], unit: Verdict['unit'], message: string) {
  return { name, status: 'no_data', observed: null, limit, unit, message } satisfies Verdict;
}

/** A per-fault time limit: every injected fault must reach the phase within `limitMs`. */
function timeLimit(
  name: string,
  faults: FaultResult[],
  pick: (fault: FaultResult) => number | undefined,
  limitMs: number,
  phase: string,
): Verdict {
  if (faults.length === 0) return noData(name, limitMs, 'ms', 'the experiment plans no fault');
  const notLanded = faults.filter((fault) => !fault.landed);
  if (notLanded.length > 0) {
    const names = notLanded.map((fault) => fault.name).join(', ');
    return noData(name, limitMs, 'ms', `no impact to measure from: ${names} never landed`);
  }
  const missing = faults.filter((fault) => pick(fault) === undefined);
  if (missing.length > 0) {
    const names = missing.map((fault) => fault.name).join(', ');
    return {
      name,
      status: 'failed',
      observed: null,
      limit: limitMs,
      unit: 'ms',
      message: `never ${phase}: ${names}`,
    };
  }
  const worst = faults.reduce((a, b) => ((pick(b) as number) > (pick(a) as number) ? b : a));
  const observed = pick(worst) as number;
  const passed = observed <= limitMs;
  const message = passed
    ? `every fault ${phase} within ${limitMs} ms (slowest: ${worst.name}, ${Math.round(observed)} ms)`
    : `${worst.name} ${phase} after ${Math.round(observed)} ms, over the ${limitMs} ms limit`;
  return {
    name,
    status: passed ? 'passed' : 'failed',
    observed,
    limit: limitMs,
    unit: 'ms',
    message,
  };
}

function availability(faults: FaultResult[], limit: number): Verdict {
  const name = 'minAvailability';
  const measured = faults.filter((fault) => fault.window.availability !== null);
  if (faults.length === 0 || measured.length < faults.length) {
    return noData(name, limit, 'ratio', 'no requests completed while a fault was active');
  }
  const worst = measured.reduce((a, b) =>
    (b.window.availability as number) < (a.window.availability as number) ? b : a,
  );
  const observed = worst.window.availability as number;
  const passed = observed >= limit;
  const percent = (observed * 100).toFixed(2);
  const message = passed
    ? `availability stayed at or above ${limit} (lowest: ${worst.name}, ${percent}%)`
    : `availability during ${worst.name} was ${percent}%, under the minimum of ${(limit * 100).toFixed(2)}%`;
  return { name, status: passed ? 'passed' : 'failed', observed, limit, unit: 'ratio', message };
}

function dataLoss(record: RunRecord, limit: number): Verdict {
  const name = 'maxDataLoss';
  if (record.dataLoss === undefined) {
    return noData(name, limit, 'count', 'the data-loss check did not run');
  }
  const { missing, acknowledged } = record.dataLoss;
  const observed = missing.length;
  const passed = observed <= limit;
  const sample = missing.slice(0, 5).join(', ');
  const message = passed
    ? `${observed} of ${acknowledged} acknowledged writes missing, limit ${limit}`
    : `${observed} of ${acknowledged} acknowledged writes missing (first: ${sample}), over the limit of ${limit}`;
  return { name, status: passed ? 'passed' : 'failed', observed, limit, unit: 'count', message };
}

function selfHeal(faults: FaultResult[]): Verdict {
  const name = 'mustSelfHeal';
  const landed = faults.filter((fault) => fault.landed && fault.impactSlis.length > 0);
  if (landed.length === 0 || landed.length < faults.length) {
    return noData(
      name,
      true,
      'boolean',
      'no fault pushed an SLI out of its band, so there was nothing to heal',
    );
  }
  const notHealed = landed.filter((fault) => !fault.selfHealed);
  if (notHealed.length === 0) {
    return {
      name,
      status: 'passed',
      observed: true,
      limit: true,
      unit: 'boolean',
      message: 'every fault was healed while still active',
    };
  }
  const names = notHealed.map((fault) => fault.name).join(', ');
  const message = `not healed while active (service came back only after the revert, or never): ${names}`;
  return { name, status: 'failed', observed: false, limit: true, unit: 'boolean', message };
}

function falseAlarms(record: RunRecord, alarms: FalseAlarm[]): Verdict {
  const name = 'noFalseAlarms';
  if (!record.experiment.healer.enabled) {
    return noData(name, 0, 'count', 'the healer was off, so no detection could be judged');
  }
  if (alarms.length === 0) {
    return {
      name,
      status: 'passed',
      observed: 0,
      limit: 0,
      unit: 'count',
      message: 'no unexplained detections',
    };
  }
  const first = alarms[0] as FalseAlarm;
  const message = `${alarms.length} detection(s) no active fault explains; first: ${first.service} (${first.signal}) at ${Math.round(first.tMs)} ms`;
  return { name, status: 'failed', observed: alarms.length, limit: 0, unit: 'count', message };
}

function quality(record: RunRecord, faults: FaultResult[], limit: number): Verdict {
  const name = 'quality';
  const recoveries = faults.map((fault) => fault.tRecoverMs);
  if (recoveries.length === 0 || recoveries.some((time) => time === undefined)) {
    return noData(
      name,
      limit,
      'ratio',
      'the stack never recovered, so answer quality after recovery is unknown',
    );
  }
  const afterMs = Math.max(...(recoveries as number[]));
  const after = record.samples.filter((sample) => sample.tMs > afterMs);
  const checked = after.reduce((sum, sample) => sum + (sample.answersChecked ?? 0), 0);
  const wrong = after.reduce((sum, sample) => sum + (sample.wrongAnswers ?? 0), 0);
  if (checked === 0) {
    return noData(name, limit, 'ratio', 'no answers were checked after recovery');
  }
  const observed = wrong / checked;
  const passed = observed <= limit;
  const message = `${wrong} of ${checked} checked answers wrong after recovery (limit ${limit})`;
  return { name, status: passed ? 'passed' : 'failed', observed, limit, unit: 'ratio', message };
}

/** Judges each expectation the experiment sets, one verdict each, in a fixed order. */
export function judgeExpectations(facts: TrialFacts): Verdict[] {
  const expectations: Expectations = facts.record.experiment.expectations;
  const verdicts: Verdict[] = [];
  const { faults } = facts;

  if (expectations.detectWithinMs !== undefined) {
    verdicts.push(
      timeLimit('detectWithin', faults, (f) => f.ttdMs, expectations.detectWithinMs, 'detected'),
    );
  }
  if (expectations.recoverWithinMs !== undefined) {
    verdicts.push(
      timeLimit('recoverWithin', faults, (f) => f.ttrMs, expectations.recoverWithinMs, 'recovered'),
    );
  }
  if (expectations.minAvailability !== undefined) {
    verdicts.push(availability(faults, expectations.minAvailability));
  }
  if (expectations.maxDataLoss !== undefined) {
    verdicts.push(dataLoss(facts.record, expectations.maxDataLoss));
  }
  if (expectations.mustSelfHeal === true) verdicts.push(selfHeal(faults));
  if (expectations.noFalseAlarms === true)
    verdicts.push(falseAlarms(facts.record, facts.falseAlarms));
  if (expectations.quality !== undefined) {
    verdicts.push(quality(facts.record, faults, expectations.quality.maxWrongAnswerRate));
  }
  return verdicts;
}
