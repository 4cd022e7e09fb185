import { join } from 'node:path';
import { worstStatus } from '../score/build.ts';
import {
  type RunStatus,
  SCORECARD_SCHEMA_VERSION,
  type Scorecard,
  type SuiteResult,
} from '../score/scorecard.ts';
import { formatQuantiles, STATUS_MARK, statusLabel, worstFirst } from './format.ts';
import { renderJunit } from './junit.ts';
import { cell, table } from './markdown.ts';
import { writeFileAtomic } from './write.ts';

/**
 * A suite: several experiments run together. It passes when every experiment ended as expected, so
 * an experiment that is expected to fail and failed counts as correct.
 */

/** Returns the status an experiment contributes to its suite: a surprise pass counts as a failure. */
function suiteStatusOf(scorecard: Scorecard): RunStatus {
  if (scorecard.asExpected) return 'passed';
  return scorecard.status === 'passed' ? 'failed' : scorecard.status;
}

export function buildSuiteResult(
  scorecards: Scorecard[],
  runId: string,
  generatedAtWall = new Date().toISOString(),
): SuiteResult {
  const correct = scorecards.filter((scorecard) => scorecard.asExpected).length;
  const status =
    scorecards.length === 0 ? 'inconclusive' : worstStatus(scorecards.map(suiteStatusOf));
  return {
    schemaVersion: SCORECARD_SCHEMA_VERSION,
    runId,
    generatedAtWall,
    scorecards,
    status,
    correct,
    total: scorecards.length,
  };
}

function faultCell(scorecard: Scorecard, metric: 'ttdMs' | 'ttrMs'): string {
  const faults = scorecard.statistics.faults;
  if (faults.length === 0) return '–';
  return faults
    .map((fault) => `${cell(fault.name)}: ${formatQuantiles(fault[metric])}`)
    .join('<br>');
}

/** `summary.md`: one row per experiment, worst first, then the reasons of each surprise. */
export function renderSuiteSummary(suite: SuiteResult): string {
  const ordered = worstFirst(suite.scorecards);
  const rows = ordered.map((scorecard) => [
    scorecard.asExpected ? '✅' : STATUS_MARK[suiteStatusOf(scorecard)],
    cell(scorecard.experiment.name),
    statusLabel(scorecard),
    faultCell(scorecard, 'ttdMs'),
    faultCell(scorecard, 'ttrMs'),
    `\`${scorecard.runId}\``,
  ]);
  const lines = [
    `# ${STATUS_MARK[suite.status]} Rebound suite: ${suite.correct} of ${suite.total} experiments as expected`,
    '',
    ...table(['', 'experiment', 'status', 'TTD p50 / p95', 'TTR p50 / p95', 'run'], rows),
  ];
  for (const scorecard of ordered.filter((entry) => !entry.asExpected)) {
    lines.push('', `## ${cell(scorecard.experiment.name)}: ${statusLabel(scorecard)}`, '');
    lines.push(...scorecard.statusReasons.slice(0, 10).map((reason) => `- ${cell(reason)}`));
  }
  return `${lines.join('\n')}\n`;
}

/** Writes `summary.md` and `suite-junit.xml` into the suite's folder; returns the paths. */
export function writeSuiteReports(suite: SuiteResult, dir: string): string[] {
  const summary = join(dir, 'summary.md');
  const junit = join(dir, 'suite-junit.xml');
  writeFileAtomic(summary, renderSuiteSummary(suite));
  writeFileAtomic(junit, renderJunit(suite.scorecards, `rebound suite ${suite.runId}`));
  return [summary, junit];
}
