import { readFileSync } from 'node:fs';
import { arch, cpus, platform, release } from 'node:os';
import { ExitCode } from '../errors.ts';
import { type RunRecord, type RunRecordInput, runRecordSchema } from './record.ts';
import {
  type Environment,
  type FaultStatistics,
  type RunStatus,
  SCORECARD_SCHEMA_VERSION,
  type Scorecard,
  type TrialResult,
  type Verdict,
} from './scorecard.ts';
import { summarize } from './stats.ts';
import { scoreTrial } from './trial.ts';

/** Builds the scorecard of one experiment from the records of its trials. */

const STATUS_ORDER: RunStatus[] = ['interrupted', 'errored', 'failed', 'inconclusive', 'passed'];

/** Returns the worst of several statuses, in the order interrupted, errored, failed, inconclusive, passed. */
export function worstStatus(statuses: RunStatus[]): RunStatus {
  for (const status of STATUS_ORDER) if (statuses.includes(status)) return status;
  return 'inconclusive';
}

function reboundVersion(): string {
  const file = new URL('../../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

export function currentEnvironment(runtime: Environment['runtime']): Environment {
  const processors = cpus();
  return {
    node: process.version,
    os: `${platform()} ${release()}`,
    arch: arch(),
    cpus: processors.length,
    cpuModel: processors[0]?.model.trim() ?? 'unknown',
    runtime,
    reboundVersion: reboundVersion(),
  };
}

function faultStatistics(trials: TrialResult[], seed: number): FaultStatistics[] {
  const names = [...new Set(trials.flatMap((trial) => trial.faults.map((fault) => fault.name)))];
  return names.map((name) => {
    const results = trials.flatMap((trial) => trial.faults.filter((fault) => fault.name === name));
    const values = (duration: 'ttdMs' | 'ttaMs' | 'ttmMs' | 'ttrMs') =>
      results.flatMap((fault) => (fault[duration] === undefined ? [] : [fault[duration]]));
    return {
      name,
      trials: results.length,
      landed: results.filter((fault) => fault.landed).length,
      detected: results.filter((fault) => fault.tDetectMs !== undefined).length,
      recovered: results.filter((fault) => fault.tRecoverMs !== undefined).length,
      selfHealed: results.filter((fault) => fault.selfHealed).length,
      ttdMs: summarize(values('ttdMs'), seed),
      ttaMs: summarize(values('ttaMs'), seed),
      ttmMs: summarize(values('ttmMs'), seed),
      ttrMs: summarize(values('ttrMs'), seed),
    };
  });
}

/** Combines one expectation's verdicts over trials: any failure fails it, any missing data voids it. */
function combineVerdicts(trials: TrialResult[]): Verdict[] {
  const names = [...new Set(trials.flatMap((trial) => trial.expectations.map((v) => v.name)))];
  return names.map((name) => {
    const verdicts = trials.flatMap((trial) => trial.expectations.filter((v) => v.name === name));
    const status = (['failed', 'no_data', 'passed'] as const).find((candidate) =>
      verdicts.some((verdict) => verdict.status === candidate),
    );
    const matching = verdicts.filter((verdict) => verdict.status === status);
    const chosen = worstOf(matching);
    const prefix = verdicts.length > 1 ? `${matching.length} of ${verdicts.length} trials: ` : '';
    return { ...chosen, message: `${prefix}${chosen.message}` };
  });
}

/** Picks the verdict furthest past, or closest to, its limit, so the scorecard shows the worst trial. */
function worstOf(verdicts: Verdict[]): Verdict {
  return verdicts.reduce((worst, verdict) => {
    if (typeof verdict.observed !== 'number' || typeof worst.observed !== 'number') return worst;
    const lowerIsWorse = verdict.name === 'minAvailability';
    const worse = lowerIsWorse
      ? verdict.observed < worst.observed
      : verdict.observed > worst.observed;
    return worse ? verdict : worst;
  });
}

export interface BuildOptions {
  /** Environment to record; defaults to this machine's. */
  environment?: Environment;
  /** Seed of the bootstrap; defaults to the first trial's seed. */
  seed?: number;
  generatedAtWall?: string;
  /** Path of the timeline, relative to the scorecard's folder. */
  eventsJsonl?: string;
}

/** Validates the records, scores every trial and combines them into a scorecard. */
export function buildScorecard(inputs: RunRecordInput[], options: BuildOptions = {}): Scorecard {
  if (inputs.length === 0) throw new Error('buildScorecard needs the record of at least one trial');
  const records: RunRecord[] = inputs.map((input) => runRecordSchema.parse(input));
  const first = records[0] as RunRecord;
  const trials = records.map(scoreTrial);

  const status = worstStatus(trials.map((trial) => trial.status));
  const statusReasons = trials.flatMap((trial) =>
    trial.statusReasons.map((reason) =>
      trials.length > 1 ? `trial ${trial.trial}: ${reason}` : reason,
    ),
  );
  const problems = trials.flatMap((trial) =>
    trial.cleanup.clean ? [] : [`trial ${trial.trial}: cleanup incomplete`],
  );

  return {
    schemaVersion: SCORECARD_SCHEMA_VERSION,
    runId: first.runId,
    generatedAtWall: options.generatedAtWall ?? new Date().toISOString(),
    experiment: first.experiment,
    environment: options.environment ?? currentEnvironment(first.runtime),
    trials,
    statistics: { faults: faultStatistics(trials, options.seed ?? first.seed) },
    expectations: combineVerdicts(trials),
    cleanup: { clean: problems.length === 0, problems },
    status,
    statusReasons,
    asExpected: isAsExpected(first.experiment.expectedOutcome, status),
    artifacts: { eventsJsonl: options.eventsJsonl },
  };
}

/** Checks whether a status matches the expected outcome. An expected failure must fail, not error. */
export function isAsExpected(expected: 'pass' | 'fail', status: RunStatus): boolean {
  return expected === 'fail' ? status === 'failed' : status === 'passed';
}

/**
 * Maps a scorecard's or a suite's status to the process exit code: 0 when it ended as expected, 1 when it failed
 * or was inconclusive (missing data is never a pass), 3 when it errored, 130 when interrupted.
 */
export function exitCodeForStatus(status: RunStatus, asExpected: boolean): number {
  if (status === 'interrupted') return ExitCode.interrupted;
  if (status === 'errored') return ExitCode.runtime;
  return asExpected ? ExitCode.passed : ExitCode.failed;
}
