import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from '../errors.ts';

/**
 * One `rebound` subcommand. Each lives in `commands/<name>.ts` and exports it as `command`; the
 * entry point loads it by name, so adding a command means adding a file.
 */
export interface Command {
  summary: string;
  usage: string;
  /** Returns the exit code. */
  run(argv: string[]): Promise<number>;
}

/** Parses options strictly and turns parse failures into a usage error that shows the usage line. */
export function parseOptions<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: T,
  usage: string,
) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\nusage: ${usage}`);
  }
}
