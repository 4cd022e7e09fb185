import { readdirSync } from 'node:fs';
import { ConfigError } from '../../../common/src/config/load.ts';
import { exitCodeOf, isUserFacing, UsageError } from '../errors.ts';
import type { Command } from './command.ts';
import { print, printError } from './output.ts';

const commandsDir = new URL('./commands/', import.meta.url);

function commandNames(): string[] {
  return readdirSync(commandsDir)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .map((file) => file.replace(/\.ts$/, ''))
    .sort();
}

async function loadCommand(name: string): Promise<Command> {
  if (!/^[a-z][a-z-]*$/.test(name) || !commandNames().includes(name)) {
    throw new UsageError(`unknown command "${name}"; commands: ${commandNames().join(', ')}`);
  }
  const module = (await import(new URL(`${name}.ts`, commandsDir).href)) as { command: Command };
  return module.command;
}

async function printHelp(): Promise<void> {
  print('rebound: chaos experiments for AI stacks, scored by time to detect and time to recover\n');
  print('usage: rebound <command> [options]\n');
  for (const name of commandNames()) {
    const command = await loadCommand(name);
    print(`  ${name.padEnd(10)} ${command.summary}`);
  }
  print('\nRun `rebound <command> --help` for the options of one command.');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    await printHelp();
    return name === undefined ? 2 : 0;
  }
  const command = await loadCommand(name);
  if (rest.includes('--help') || rest.includes('-h')) {
    print(`${command.summary}\n\nusage: ${command.usage}`);
    return 0;
  }
  return command.run(rest);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof ConfigError) {
    for (const line of error.message.split('\n')) printError(line);
    printError(`${error.problems.length} problem(s); nothing was run`);
  } else if (isUserFacing(error)) {
    printError((error as Error).message);
  } else {
    printError(
      `unexpected error, which is a bug in Rebound; please report it with this trace:\n${(error as Error).stack ?? String(error)}`,
    );
  }
  process.exitCode = exitCodeOf(error);
}
