import { UsageError } from '../errors.ts';
import { ProcessRuntime, type ProcessRuntimeOptions } from './process/runtime.ts';
import type { Runtime } from './types.ts';

export type { ProcessRuntimeOptions } from './process/runtime.ts';
export { ProcessRuntime, UnknownComponentError } from './process/runtime.ts';
export type * from './types.ts';

export const runtimeNames = ['process', 'docker'] as const;

/** Creates the runtime named on the command line or in an experiment. */
export function createRuntime(name: string, options: ProcessRuntimeOptions = {}): Runtime {
  if (name === 'process') return new ProcessRuntime(options);
  if (name === 'docker') {
    // TODO: add the Docker runtime; until then `--runtime docker` fails with this message.
    throw new UsageError('the docker runtime is not available yet; use --runtime process');
  }
  throw new UsageError(`unknown runtime "${name}"; runtimes: ${runtimeNames.join(', ')}`);
}
