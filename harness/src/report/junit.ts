import type { Scorecard, Verdict } from '../score/scorecard.ts';
import { element, textElement } from './xml.ts';

/**
 * `junit.xml`: one test suite per experiment, with one test case for the experiment and one per
 * expectation, and the fault timings as properties. A failed verdict is a `failure`, a verdict
 * without data is `skipped` (not a pass), an errored or interrupted run is an `error`. In an
 * experiment that is expected to fail and did, failures are reported as passes with the reason in
 * `system-out`, so CI test views agree with the exit code.
 */

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

function seconds(ms: number): string {
  return (ms / 1_000).toFixed(3);
}

function durationMs(scorecard: Scorecard): number {
  return scorecard.trials.reduce((sum, trial) => sum + trial.phases.endMs, 0);
}

function properties(scorecard: Scorecard): string {
  const entries: [string, string | number][] = [
    ['run-id', scorecard.runId],
    ['experiment-file', scorecard.experiment.file],
    ['status', scorecard.status],
    ['expected-outcome', scorecard.experiment.expectedOutcome],
    ['runtime', scorecard.environment.runtime],
    ['trials', scorecard.trials.length],
  ];
  for (const fault of scorecard.statistics.faults) {
    for (const metric of ['ttdMs', 'ttaMs', 'ttmMs', 'ttrMs'] as const) {
      const statistic = fault[metric];
      if (statistic === null) continue;
      const name = metric.replace(/Ms$/, '');
      entries.push([`fault.${fault.name}.${name}.p50_ms`, statistic.p50]);
      entries.push([`fault.${fault.name}.${name}.p95_ms`, statistic.p95]);
    }
  }
  const children = entries.map(([name, value]) => element('property', { name, value }));
  return element('properties', {}, children);
}

type Outcome = 'passed' | 'failure' | 'error' | 'skipped';

interface TestCase {
  xml: string;
  outcome: Outcome;
}

function experimentOutcome(scorecard: Scorecard): { outcome: Outcome; xml: string } {
  const reasons = scorecard.statusReasons.join('\n');
  const first = scorecard.statusReasons[0] ?? scorecard.status;
  if (scorecard.experiment.expectedOutcome === 'fail') {
    if (scorecard.asExpected) {
      return {
        outcome: 'passed',
        xml: textElement('system-out', {}, `failed as expected:\n${reasons}`),
      };
    }
    const message = `expected to fail, but the run ended ${scorecard.status}`;
    return {
      outcome: 'failure',
      xml: textElement('failure', { message, type: 'unexpected-outcome' }, reasons),
    };
  }
  switch (scorecard.status) {
    case 'passed':
      return { outcome: 'passed', xml: '' };
    case 'failed':
      return {
        outcome: 'failure',
        xml: textElement('failure', { message: first, type: 'failed' }, reasons),
      };
    case 'inconclusive':
      return { outcome: 'skipped', xml: element('skipped', { message: `inconclusive: ${first}` }) };
    default:
      return {
        outcome: 'error',
        xml: textElement('error', { message: first, type: scorecard.status }, reasons),
      };
  }
}

function experimentCase(scorecard: Scorecard): TestCase {
  const name = scorecard.experiment.name;
  const attributes = { name, classname: `rebound.${name}`, time: seconds(durationMs(scorecard)) };
  const { outcome, xml } = experimentOutcome(scorecard);
  const children = [properties(scorecard), ...(xml ? [xml] : [])];
  return { outcome, xml: element('testcase', attributes, children) };
}

function verdictOutcome(scorecard: Scorecard, verdict: Verdict): { outcome: Outcome; xml: string } {
  const expectedFailure = scorecard.experiment.expectedOutcome === 'fail' && scorecard.asExpected;
  if (verdict.status === 'failed' && expectedFailure) {
    return {
      outcome: 'passed',
      xml: textElement('system-out', {}, `failed as expected: ${verdict.message}`),
    };
  }
  if (verdict.status === 'failed') {
    const attributes = { message: verdict.message, type: 'expectation' };
    return { outcome: 'failure', xml: textElement('failure', attributes, verdict.message) };
  }
  if (verdict.status === 'no_data') {
    return {
      outcome: 'skipped',
      xml: element('skipped', { message: `no data: ${verdict.message}` }),
    };
  }
  return { outcome: 'passed', xml: textElement('system-out', {}, verdict.message) };
}

function verdictCase(scorecard: Scorecard, verdict: Verdict): TestCase {
  const experiment = scorecard.experiment.name;
  const attributes = {
    name: `${experiment} › ${verdict.name}`,
    classname: `rebound.${experiment}`,
    time: '0.000',
  };
  const numbers = element('properties', {}, [
    element('property', { name: 'observed', value: String(verdict.observed) }),
    element('property', { name: 'limit', value: String(verdict.limit) }),
    element('property', { name: 'unit', value: verdict.unit }),
  ]);
  const { outcome, xml } = verdictOutcome(scorecard, verdict);
  return { outcome, xml: element('testcase', attributes, [numbers, xml]) };
}

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

function countOutcomes(cases: TestCase[]): Counts {
  const count = (outcome: Outcome) =>
    cases.filter((testcase) => testcase.outcome === outcome).length;
  return {
    tests: cases.length,
    failures: count('failure'),
    errors: count('error'),
    skipped: count('skipped'),
  };
}

/** Renders a `testsuite` element for one scorecard and counts its outcomes. */
export function junitSuite(scorecard: Scorecard): { xml: string; counts: Counts } {
  const cases = [
    experimentCase(scorecard),
    ...scorecard.expectations.map((verdict) => verdictCase(scorecard, verdict)),
  ];
  const counts = countOutcomes(cases);
  const attributes = {
    name: scorecard.experiment.name,
    ...counts,
    time: seconds(durationMs(scorecard)),
    timestamp: scorecard.trials[0]?.startedAtWall ?? scorecard.generatedAtWall,
  };
  return {
    xml: element(
      'testsuite',
      attributes,
      cases.map((testcase) => testcase.xml),
    ),
    counts,
  };
}

/** Renders a whole JUnit document for one or more scorecards. */
export function renderJunit(scorecards: Scorecard[], name = 'rebound'): string {
  const suites = scorecards.map(junitSuite);
  const total = (key: keyof Counts) => suites.reduce((sum, suite) => sum + suite.counts[key], 0);
  const timeMs = scorecards.reduce((sum, scorecard) => sum + durationMs(scorecard), 0);
  const attributes = {
    name,
    tests: total('tests'),
    failures: total('failures'),
    errors: total('errors'),
    skipped: total('skipped'),
    time: seconds(timeMs),
  };
  const root = element(
    'testsuites',
    attributes,
    suites.map((suite) => suite.xml),
  );
  return `${XML_DECLARATION}\n${root}\n`;
}
