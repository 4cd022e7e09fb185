import { existsSync } from 'node:fs';
import { UsageError } from '../../errors.ts';
import { isAlive, waitUntil } from '../../runtime/process/proc.ts';
import {
  defaultStateDir,
  ownerIsAlive,
  type RunState,
  readStates,
  reapRun,
  stateFile,
} from '../../runtime/process/state.ts';
import { type Command, parseOptions } from '../command.ts';
import { print } from '../output.ts';
import { stackUpLabel } from './up.ts';

const usage = 'rebound stack down [--run-id ID]';
const options = { 'run-id': { type: 'string' } } as const;
const ownerExitTimeoutMs = 30_000;

export const subcommand: Command = {
  summary: 'stop stacks started by `rebound stack up` and clean up after crashed runs',
  usage: `${usage}\n\n  --run-id ID  stop this run only, whoever started it (ids are listed by \`rebound stack status\`)`,
  async run(argv) {
    const { values } = parseOptions(argv, options, usage);
    const states = selectRuns(readStates(defaultStateDir), values['run-id']);
    if (states.length === 0) {
      print('no stack to stop');
      return 0;
    }
    for (const state of states) await stopRun(state);
    return 0;
  },
};

/** Selects the named run, or else every `stack up` run and every run whose owner is gone. */
function selectRuns(states: RunState[], runId: string | undefined): RunState[] {
  if (runId === undefined) {
    return states.filter((state) => state.label === stackUpLabel || !ownerIsAlive(state));
  }
  const match = states.filter((state) => state.runId === runId);
  if (match.length === 0) {
    const known = states.map((state) => state.runId).join(', ') || 'none';
    throw new UsageError(`no run with id "${runId}"; runs: ${known}`);
  }
  return match;
}

/** Asks the owner to tear down with SIGTERM; reaps the processes directly if it is gone or stuck. */
async function stopRun(state: RunState): Promise<void> {
  if (ownerIsAlive(state)) {
    process.kill(state.ownerPid, 'SIGTERM');
    const exited = await waitUntil(() => !isAlive(state.ownerPid), ownerExitTimeoutMs, 100);
    if (exited && !existsSync(stateFile(defaultStateDir, state.runId))) {
      print(`stopped ${state.runId}`);
      return;
    }
  }
  await reapRun(defaultStateDir, state);
  print(`cleaned up ${state.runId}`);
}
