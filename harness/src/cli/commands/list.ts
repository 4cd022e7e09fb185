import { ConfigError } from '../../../../common/src/config/load.ts';
import { ExitCode } from '../../errors.ts';
import { findExperimentFiles } from '../../experiment/discover.ts';
import { loadExperiment } from '../../experiment/resolve.ts';
import { type Command, parseOptions } from '../command.ts';
import { paint, print } from '../output.ts';

const usage = 'rebound list [folder]';

/** Lists the experiments of a folder with their faults, tags and description. */
export const command: Command = {
  summary: 'list experiments with their faults, tags and description (default folder: experiments)',
  usage,
  async run(argv) {
    const { positionals } = parseOptions(argv, {}, usage);
    const files = findExperimentFiles(positionals.length > 0 ? positionals : ['experiments']);

    for (const file of files) {
      try {
        const experiment = loadExperiment(file, { healer: false });
        const faults = experiment.faults.map((fault) => `${fault.kind}@${fault.target}`);
        print(paint('bold', experiment.name));
        print(`  file:        ${file}`);
        print(`  faults:      ${faults.join(', ') || '(none)'}`);
        print(`  tags:        ${experiment.tags.join(', ') || '(none)'}`);
        if (experiment.description) print(`  description: ${experiment.description}`);
        if (experiment.incident) print(`  incident:    ${experiment.incident}`);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        print(`${paint('bold', file)}`);
        print(
          `  ${paint('red', 'invalid')}: ${error.problems.length} problem(s); run rebound validate ${file}`,
        );
      }
    }
    print(`\n${files.length} experiment(s)`);
    return ExitCode.passed;
  },
};
