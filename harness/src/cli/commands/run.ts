import { statSync } from 'node:fs';
import { ConfigError, type ConfigProblem } from '../../../../common/src/config/load.ts';
import { UsageError } from '../../errors.ts';
import { findExperimentFiles } from '../../experiment/discover.ts';
import { loadExperiment } from '../../experiment/resolve.ts';
import type { ResolvedExperiment, ResolveOptions } from '../../experiment/types.ts';
import { readScorecard } from '../../report/read.ts';
import { renderTerminalSummary } from '../../report/terminal.ts';
import { type Command, parseOptions } from '../command.ts';
import { paint, print } from '../output.ts';

const usage =
  'rebound run <file|folder>... [--trials N] [--runtime process|docker] [--no-healer] [--report-dir DIR] [--seed N] [--baseline old/scorecard.json] [--fail-on-regression]';

const options = {
  trials: { type: 'string' },
  runtime: { type: 'string' },
  'no-healer': { type: 'boolean', default: false },
  'report-dir': { type: 'string', default: 'reports' },
  seed: { type: 'string' },
  baseline: { type: 'string' },
  'fail-on-regression': { type: 'boolean', default: false },
} as const;

function wholeNumber(flag: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min) {
    throw new UsageError(`invalid --${flag} "${value}": expected a whole number of ${min} or more`);
  }
  return Number(value);
}

function parseRuntime(value: string | undefined): ResolveOptions['runtime'] {
  if (value === undefined || value === 'process' || value === 'docker') return value;
  throw new UsageError(`invalid --runtime "${value}": use process or docker`);
}

/** Loads every experiment, reporting the problems of all files at once. */
function loadAll(files: string[], overrides: ResolveOptions): ResolvedExperiment[] {
  const experiments: ResolvedExperiment[] = [];
  const problems: ConfigProblem[] = [];
  for (const file of files) {
    try {
      experiments.push(loadExperiment(file, overrides));
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return experiments;
}

/**
 * Imports the runner with the stderr loggers of library modules (runtime, supervisor) at `error`
 * unless `LOG_LEVEL` sets another level, so the terminal shows progress rather than JSON lines. The
 * variable is restored afterwards, because the stack's services inherit the environment.
 */
async function importRunner() {
  const userLevel = process.env.LOG_LEVEL;
  process.env.LOG_LEVEL = userLevel ?? 'error';
  try {
    const [experimentRun, suite, interrupt, runtime] = await Promise.all([
      import('../../run/experiment-run.ts'),
      import('../../run/suite.ts'),
      import('../../run/interrupt.ts'),
      import('../../runtime/index.ts'),
    ]);
    const { createLogger } = await import('../../../../common/src/log.ts');
    return { ...experimentRun, ...suite, ...interrupt, ...runtime, logger: createLogger('run') };
  } finally {
    if (userLevel === undefined) delete process.env.LOG_LEVEL;
    else process.env.LOG_LEVEL = userLevel;
  }
}

/** Runs one experiment, or a folder of them as a suite, and exits with the verdict's code. */
export const command: Command = {
  summary: 'run an experiment, or a folder of them as a suite, and write scorecards',
  usage,
  async run(argv) {
    const { values, positionals } = parseOptions(argv, options, usage);
    const overrides: ResolveOptions = {
      trials: wholeNumber('trials', values.trials, 1),
      runtime: parseRuntime(values.runtime),
      healer: values['no-healer'] ? false : undefined,
      seed: wholeNumber('seed', values.seed, 0),
    };
    if (values['fail-on-regression'] && values.baseline === undefined) {
      throw new UsageError('--fail-on-regression needs --baseline <scorecard.json>');
    }
    const files = findExperimentFiles(positionals);
    const experiments = loadAll(files, overrides);
    const baseline =
      values.baseline === undefined
        ? undefined
        : {
            scorecard: readScorecard(values.baseline),
            file: values.baseline,
            failOnRegression: values['fail-on-regression'],
          };

    const runner = await importRunner();
    // Fails here, before anything starts, for a runtime that does not exist yet.
    for (const experiment of experiments) runner.createRuntime(experiment.runtime);
    const interrupts = new runner.Interrupts(runner.logger, (message) => print(message));
    interrupts.install();
    const runOptions = { reportRoot: values['report-dir'], interrupts, baseline };
    const isSuite = files.length > 1 || positionals.some((path) => statSync(path).isDirectory());

    try {
      if (!isSuite) {
        const run = await runner.runExperiment(experiments[0] as ResolvedExperiment, runOptions);
        printSummary([run.scorecard]);
        print(`report: ${run.reportDir}`);
        return run.exitCode;
      }
      const result = await runner.runSuite(experiments, runOptions);
      printSummary(result.suite.scorecards);
      print(
        `${result.suite.correct} of ${result.suite.total} experiment(s) as expected; reports: ${result.suiteDir}`,
      );
      return result.exitCode;
    } finally {
      interrupts.remove();
    }
  },
};

function printSummary(scorecards: Parameters<typeof renderTerminalSummary>[0]): void {
  print('');
  for (const line of renderTerminalSummary(scorecards)) print(line);
  for (const scorecard of scorecards) {
    for (const verdict of scorecard.expectations) {
      const mark =
        verdict.status === 'passed'
          ? paint('green', 'ok  ')
          : paint('red', verdict.status === 'failed' ? 'FAIL' : 'n/a ');
      print(`  ${mark} ${scorecard.experiment.name} ${verdict.name}: ${verdict.message}`);
    }
  }
}
