import {
  defaultStateDir,
  ownerIsAlive,
  type RunState,
  readStates,
} from '../../runtime/process/state.ts';
import type { ComponentStatus } from '../../runtime/types.ts';
import { type Command, parseOptions } from '../command.ts';
import { paint, print } from '../output.ts';

const usage = 'rebound stack status';

export const subcommand: Command = {
  summary: 'show the stacks started from this checkout and the state of their components',
  usage,
  async run(argv) {
    parseOptions(argv, {}, usage);
    const states = readStates(defaultStateDir);
    if (states.length === 0) {
      print('no stack is running');
      return 0;
    }
    for (const state of states) await printRun(state);
    return 0;
  },
};

async function printRun(state: RunState): Promise<void> {
  const alive = ownerIsAlive(state);
  const owner = alive ? `pid ${state.ownerPid}` : paint('red', `pid ${state.ownerPid}, gone`);
  print(
    `${paint('bold', state.runId)}  (${state.label ?? 'runtime'}, owner ${owner}, since ${state.startedAt})`,
  );
  print(`  topology ${state.topology}`);
  print(`  run dir  ${state.runDir}`);
  if (!alive) {
    print('  left behind by a crashed run; `rebound stack down` cleans it up');
    return;
  }
  if (state.supervisor === undefined) {
    print('  still starting');
    return;
  }
  let components: ComponentStatus[];
  try {
    components = await fetchComponents(state.supervisor);
  } catch (error) {
    // The owner is alive but its supervisor does not respond, so the stack is starting or stopping.
    const cause = (error as Error & { cause?: { code?: string } }).cause?.code;
    print(
      `  supervisor ${state.supervisor.url} did not respond (${cause ?? (error as Error).message}); the stack is starting or stopping, so run this again`,
    );
    return;
  }
  for (const component of components) {
    const pid = component.pid === undefined ? '' : `pid ${component.pid}`;
    print(
      `  ${component.name.padEnd(14)} ${component.state.padEnd(9)} ${pid.padEnd(10)} starts ${component.starts}`,
    );
  }
}

async function fetchComponents(supervisor: {
  url: string;
  token: string;
}): Promise<ComponentStatus[]> {
  const response = await fetch(`${supervisor.url}/v1/components`, {
    headers: { authorization: `Bearer ${supervisor.token}` },
    signal: AbortSignal.timeout(5_000),
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return ((await response.json()) as { components: ComponentStatus[] }).components;
}
