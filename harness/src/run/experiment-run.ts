import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../../common/src/log.ts';
import { ExitCode } from '../errors.ts';
import { REPO_ROOT } from '../experiment/resolve.ts';
import type { ResolvedExperiment } from '../experiment/types.ts';
import type { Timeline } from '../observe/timeline.ts';
import { writeReports } from '../report/write.ts';
import { createRuntime } from '../runtime/index.ts';
import { applyBaseline } from '../score/baseline.ts';
import { buildScorecard, isAsExpected } from '../score/build.ts';
import type { RunRecordInput } from '../score/record.ts';
import type { RunStatus, Scorecard } from '../score/scorecard.ts';
import type { Interrupts } from './interrupt.ts';
import { createRunLogger } from './logger.ts';
import { ConsoleProgress, type Progress } from './progress.ts';
import { recordExperiment } from './record.ts';
import { makeRunId } from './run-id.ts';
import { Stack } from './stack.ts';
import { runTrial } from './trial.ts';

export interface ExperimentRunOptions {
  /** Folder that receives `<run-id>/`; `reports` by default. */
  reportRoot: string;
  interrupts: Interrupts;
  /** An earlier scorecard to compare TTD and TTR with. */
  baseline?: { scorecard: Scorecard; file: string; failOnRegression: boolean };
  progress?: Progress;
}

export interface ExperimentRunResult {
  scorecard: Scorecard;
  reportDir: string;
  exitCode: number;
}

/** Exit code of a finished scorecard: 0 passed (or failed as expected), 1 failed, 3 errored, 130 interrupted. */
export function exitCodeOf(scorecard: Pick<Scorecard, 'status' | 'asExpected'>): number {
  if (scorecard.status === 'interrupted') return ExitCode.interrupted;
  if (scorecard.asExpected) return ExitCode.passed;
  if (scorecard.status === 'errored') return ExitCode.runtime;
  return ExitCode.failed;
}

/**
 * Runs one experiment: starts its stack once, runs every trial on it (each from a clean slate with
 * a fresh healer), scores the trials and writes the reports, the timeline and the services' logs
 * into `<reportRoot>/<run-id>/`. A report is written on failure and interrupt too.
 */
export async function runExperiment(
  experiment: ResolvedExperiment,
  options: ExperimentRunOptions,
): Promise<ExperimentRunResult> {
  const runId = makeRunId(experiment.name);
  const reportDir = join(options.reportRoot, runId);
  mkdirSync(join(reportDir, 'logs'), { recursive: true });
  const logger = createRunLogger(join(reportDir, 'harness.log'), {
    experiment: experiment.name,
    runId,
  });
  const progress = options.progress ?? new ConsoleProgress(`[${experiment.name}]`);
  const runtimeDir = join(REPO_ROOT, '.rebound', 'runs', runId);
  const stack = new Stack(
    createRuntime(experiment.runtime),
    experiment.topology,
    runtimeDir,
    logger,
  );
  logger.info(
    { file: experiment.file, trials: experiment.trials, seed: experiment.seed },
    'run started',
  );

  const outcome = await runTrials(experiment, {
    runId,
    reportDir,
    stack,
    logger,
    progress,
    options,
  });
  const scorecard = finishScorecard(outcome, experiment, options);
  writeReports(scorecard, reportDir);
  logger.info(
    { status: scorecard.status, asExpected: scorecard.asExpected, reportDir },
    'run finished',
  );
  return { scorecard, reportDir, exitCode: exitCodeOf(scorecard) };
}

interface TrialsContext {
  runId: string;
  reportDir: string;
  stack: Stack;
  logger: Logger;
  progress: Progress;
  options: ExperimentRunOptions;
}

interface TrialsOutcome {
  records: RunRecordInput[];
  abortReasons: string[];
}

async function runTrials(
  experiment: ResolvedExperiment,
  context: TrialsContext,
): Promise<TrialsOutcome> {
  const { stack, logger, progress, reportDir, runId } = context;
  const { interrupts } = context.options;
  const records: RunRecordInput[] = [];
  const abortReasons: string[] = [];
  try {
    progress.phase('start stack', `on the ${experiment.runtime} runtime`);
    await stack.start(interrupts.signal);
    for (let trial = 1; trial <= experiment.trials && !interrupts.signal.aborted; trial++) {
      if (experiment.trials > 1) progress.note(`trial ${trial} of ${experiment.trials}`);
      const result = await runTrial({
        experiment,
        stack,
        trial,
        runId,
        reportDir,
        interrupt: interrupts.signal,
        logger: logger.child({ trial }),
        progress,
      });
      records.push(result.record);
      appendTimeline(join(reportDir, 'events.jsonl'), result.timeline, trial);
      if (result.abortReason) abortReasons.push(`trial ${trial}: ${result.abortReason}`);
    }
  } catch (error) {
    logger.error({ err: error }, 'stack failed');
    records.push(
      stackFailureRecord(experiment, runId, records.length + 1, error, interrupts.signal.aborted),
    );
  } finally {
    progress.phase('teardown');
    stack.copyLogs(reportDir);
    await stack.stop().catch((error: unknown) => logger.error({ err: error }, 'teardown failed'));
    rmSync(stack.runtimeDir, { recursive: true, force: true });
    progress.done();
  }
  return { records, abortReasons };
}

/** Appends a trial's timeline to `events.jsonl`, each line tagged with its trial. */
function appendTimeline(file: string, timeline: Timeline, trial: number): void {
  const lines = timeline.entries().map((entry) => JSON.stringify({ trial, ...entry }));
  appendFileSync(file, lines.length > 0 ? `${lines.join('\n')}\n` : '');
}

/** Builds the record of a trial that never ran because the stack could not start or failed. */
function stackFailureRecord(
  experiment: ResolvedExperiment,
  runId: string,
  trial: number,
  error: unknown,
  interrupted: boolean,
): RunRecordInput {
  return {
    experiment: recordExperiment(experiment),
    runId,
    trial,
    seed: experiment.seed + trial - 1,
    startedAtWall: new Date().toISOString(),
    runtime: experiment.runtime,
    phases: { baselineStartMs: 0, baselineEndMs: 0, methodStartMs: 0, methodEndMs: 0, endMs: 0 },
    samples: [],
    faults: [],
    healerEvents: [],
    cleanup: { toxicsLeft: [], unhealthy: [], stoppedProcesses: [] },
    topologyEdges: experiment.topology.edges.map(({ from, to }) => ({ from, to })),
    interrupted,
    error: interrupted ? undefined : `the stack could not run: ${(error as Error).message}`,
  };
}

function finishScorecard(
  outcome: TrialsOutcome,
  experiment: ResolvedExperiment,
  options: ExperimentRunOptions,
): Scorecard {
  let scorecard = buildScorecard(outcome.records, {
    seed: experiment.seed,
    eventsJsonl: 'events.jsonl',
  });
  if (outcome.abortReasons.length > 0) scorecard = markAborted(scorecard, outcome.abortReasons);
  if (options.baseline) {
    scorecard = applyBaseline(scorecard, options.baseline.scorecard, {
      file: options.baseline.file,
      failOnRegression: options.baseline.failOnRegression,
    });
  }
  return scorecard;
}

/**
 * An abort condition stopped the method, so the experiment cannot pass even if every expectation
 * that was measured held.
 * TODO: carry the abort in RunRecord once the scorer has a field for it, so each trial shows it.
 */
function markAborted(scorecard: Scorecard, reasons: string[]): Scorecard {
  const status: RunStatus = scorecard.status === 'passed' ? 'failed' : scorecard.status;
  return {
    ...scorecard,
    status,
    statusReasons: [...scorecard.statusReasons, ...reasons],
    asExpected: isAsExpected(scorecard.experiment.expectedOutcome, status),
  };
}
