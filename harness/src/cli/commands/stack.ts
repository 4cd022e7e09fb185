import { existsSync, readdirSync } from 'node:fs';
import { UsageError } from '../../errors.ts';
import type { Command } from '../command.ts';
import { print } from '../output.ts';

/**
 * `rebound stack <subcommand>`: each subcommand lives in `harness/src/cli/stack/<name>.ts` and
 * exports `subcommand: Command`, so adding one (such as `seed`) means adding a file there.
 */
const subcommandsDir = new URL('../stack/', import.meta.url);

function subcommandNames(): string[] {
  return readdirSync(subcommandsDir)
    .filter((file) => file.endsWith('.ts') && !file.startsWith('_'))
    .map((file) => file.replace(/\.ts$/, ''))
    .sort();
}

async function loadSubcommand(name: string): Promise<Command> {
  const file = new URL(`${name}.ts`, subcommandsDir);
  if (!/^[a-z][a-z-]*$/.test(name) || !existsSync(file)) {
    throw new UsageError(
      `unknown stack subcommand "${name}"; subcommands: ${subcommandNames().join(', ')}`,
    );
  }
  return ((await import(file.href)) as { subcommand: Command }).subcommand;
}

const usage = `rebound stack <${subcommandNames().join('|')}> [options]`;

export const command: Command = {
  summary: 'start, inspect and stop a stack on local processes',
  usage,
  async run(argv) {
    const [name, ...rest] = argv;
    if (name === undefined || name === '--help' || name === '-h') {
      print(`usage: ${usage}\n`);
      for (const subcommand of subcommandNames()) {
        print(`  ${subcommand.padEnd(8)} ${(await loadSubcommand(subcommand)).summary}`);
      }
      return name === undefined ? 2 : 0;
    }
    const subcommand = await loadSubcommand(name);
    if (rest.includes('--help') || rest.includes('-h')) {
      print(`${subcommand.summary}\n\nusage: ${subcommand.usage}`);
      return 0;
    }
    return subcommand.run(rest);
  },
};
