import { checkRequirements } from '../../runtime/process/requirements.ts';
import type { Command } from '../command.ts';
import { parseOptions } from '../command.ts';
import { paint, print } from '../output.ts';

const usage = 'rebound doctor';

/** Prints each program the `process` runtime needs, its version, and the fix for missing ones. */
export const command: Command = {
  summary: 'check that this machine has what the process runtime needs',
  usage,
  async run(argv) {
    parseOptions(argv, {}, usage);
    const requirements = checkRequirements();
    const width = Math.max(...requirements.map((requirement) => requirement.name.length));

    for (const requirement of requirements) {
      const name = requirement.name.padEnd(width);
      if (requirement.found !== undefined) {
        print(`${paint('green', 'ok     ')} ${name}  ${requirement.found}`);
      } else {
        const label = requirement.required ? paint('red', 'missing') : paint('yellow', 'absent ');
        print(`${label} ${name}  fix: ${requirement.fix}`);
      }
    }

    const missing = requirements.filter((r) => r.required && r.found === undefined);
    if (missing.length === 0) {
      print('\nEverything the process runtime needs is installed.');
      return 0;
    }
    print(`\n${missing.length} required component(s) missing; \`npm run setup\` installs them.`);
    return 3;
  },
};
