import { ConfigError } from '../../common/src/config/load.ts';

/**
 * The harness's error classes, each with a stable code. `exitCodeOf` is the one place that maps
 * errors to exit codes: 0 passed, 1 an expectation failed, 2 invalid input or usage, 3 the harness or
 * the stack could not run, 130 interrupted.
 */
export const ExitCode = {
  passed: 0,
  failed: 1,
  usage: 2,
  runtime: 3,
  interrupted: 130,
} as const;

/** Wrong command-line usage or invalid input that the user can fix. */
export class UsageError extends Error {
  readonly code = 'E_USAGE';
  override name = 'UsageError';
}

/** The stack, a server or a tool could not run; the message names it and what to do. */
export class RuntimeFailure extends Error {
  readonly code: string;
  override name = 'RuntimeFailure';
  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = options.code ?? 'E_RUNTIME';
  }
}

/** The run was interrupted by SIGINT or SIGTERM. */
export class InterruptedError extends Error {
  readonly code = 'E_INTERRUPTED';
  override name = 'InterruptedError';
}

export function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError || error instanceof ConfigError) return ExitCode.usage;
  if (error instanceof InterruptedError) return ExitCode.interrupted;
  return ExitCode.runtime;
}

/** Whether the error is one the user caused and can fix, so it prints as one line without a stack. */
export function isUserFacing(error: unknown): boolean {
  return (
    error instanceof UsageError ||
    error instanceof ConfigError ||
    error instanceof RuntimeFailure ||
    error instanceof InterruptedError
  );
}
