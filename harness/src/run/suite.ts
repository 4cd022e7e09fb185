import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode } from '../errors.ts';
import type { ResolvedExperiment } from '../experiment/types.ts';
import { buildSuiteResult, writeSuiteReports } from '../report/suite.ts';
import type { Scorecard, SuiteResult } from '../score/scorecard.ts';
import {
  type ExperimentRunOptions,
  type ExperimentRunResult,
  exitCodeOf,
  runExperiment,
} from './experiment-run.ts';
import { makeRunId } from './run-id.ts';

export interface SuiteRunResult {
  suite: SuiteResult;
  suiteDir: string;
  runs: ExperimentRunResult[];
  exitCode: number;
}

/**
 * Runs experiments one after another, each with its own stack and report folder inside the suite's
 * folder, and writes `summary.md` and `suite-junit.xml`. An experiment that is expected to fail and
 * fails counts as correct. An interrupt stops the suite after the experiment it interrupted.
 */
export async function runSuite(
  experiments: ResolvedExperiment[],
  options: ExperimentRunOptions,
): Promise<SuiteRunResult> {
  const suiteId = makeRunId('suite');
  const suiteDir = join(options.reportRoot, suiteId);
  mkdirSync(suiteDir, { recursive: true });
  const runs: ExperimentRunResult[] = [];
  for (const experiment of experiments) {
    if (options.interrupts.signal.aborted) break;
    runs.push(await runExperiment(experiment, { ...options, reportRoot: suiteDir }));
  }
  const suite = buildSuiteResult(
    runs.map((run) => run.scorecard),
    suiteId,
  );
  writeSuiteReports(suite, suiteDir);
  return { suite, suiteDir, runs, exitCode: suiteExitCode(runs.map((run) => run.scorecard)) };
}

/** 130 if interrupted, 0 when every experiment ended as expected, else the worst run's code. */
export function suiteExitCode(scorecards: Scorecard[]): number {
  const codes = scorecards.map(exitCodeOf);
  if (codes.includes(ExitCode.interrupted)) return ExitCode.interrupted;
  if (codes.includes(ExitCode.runtime)) return ExitCode.runtime;
  if (codes.includes(ExitCode.failed)) return ExitCode.failed;
  return ExitCode.passed;
}
