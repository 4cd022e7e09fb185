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

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses options strictly and turns parse failures into a usage error that shows the usage line. */
export function parseOptions<T extends Options>(argv: string[], options: T, usage: string) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${describeParseError(error as Error, options)}\nusage: ${usage}`);
  }
}

/**
 * Rewrites a `node:util` parseArgs error, whose text talks about positional arguments, as a
 * sentence that names the option and the fix. Node 20 gives the option only inside the message.
 */
function describeParseError(error: Error & { code?: string }, options: Options): string {
  const option = /'(-{1,2}[^' ]+)/.exec(error.message)?.[1];
  if (option === undefined) return error.message;

  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const known = Object.keys(options).map((name) => `--${name}`);
    if (known.length === 0) return `unknown option ${option}; this command takes no options`;
    const guess = known.find((name) => editDistance(name, option) <= 2);
    const hint = guess === undefined ? `options: ${known.join(', ')}` : `did you mean ${guess}?`;
    return `unknown option ${option}; ${hint}`;
  }
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    return error.message.includes('argument missing')
      ? `${option} needs a value`
      : `${option} takes no value; write ${option} alone`;
  }
  return error.message;
}

/** Levenshtein distance, for suggesting the option that a mistyped one was meant to be. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
