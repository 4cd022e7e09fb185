import { ConfigError, formatProblem } from '../../../../common/src/config/load.ts';
import { ExitCode } from '../../errors.ts';
import { findExperimentFiles } from '../../experiment/discover.ts';
import { loadExperiment } from '../../experiment/resolve.ts';
import { type Command, parseOptions } from '../command.ts';
import { paint, print, printError } from '../output.ts';

const usage = 'rebound validate <file|folder>...';

/** Validates experiments without touching any system and prints every problem of every file. */
export const command: Command = {
  summary: 'check experiment files and print every problem, without running anything',
  usage,
  async run(argv) {
    const { positionals } = parseOptions(argv, {}, usage);
    const files = findExperimentFiles(positionals);
    let invalid = 0;
    let problemCount = 0;

    for (const file of files) {
      try {
        const experiment = loadExperiment(file);
        print(
          `${paint('green', 'valid')}   ${file} (${experiment.name}, ${experiment.faults.length} fault(s))`,
        );
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        invalid += 1;
        problemCount += error.problems.length;
        for (const problem of error.problems) printError(formatProblem(problem));
      }
    }

    if (invalid === 0) {
      print(`${files.length} experiment(s) valid`);
      return ExitCode.passed;
    }
    printError(`${invalid} of ${files.length} experiment(s) invalid, ${problemCount} problem(s)`);
    return ExitCode.usage;
  },
};
