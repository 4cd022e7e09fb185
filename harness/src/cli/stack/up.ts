import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadTopology } from '../../../../common/src/topology.ts';
import { RuntimeFailure, UsageError } from '../../errors.ts';
import { ProcessRuntime } from '../../runtime/index.ts';
import { tailLines } from '../../runtime/process/child.ts';
import { waitUntil } from '../../runtime/process/proc.ts';
import { projectRoot } from '../../runtime/process/tools.ts';
import type { StackEndpoints } from '../../runtime/types.ts';
import { type Command, parseOptions } from '../command.ts';
import { print } from '../output.ts';
import { printEndpoints } from './_endpoints.ts';

const usage = 'rebound stack up [--topology FILE] [--run-dir DIR] [--detach]';
const options = {
  topology: { type: 'string', default: 'targets/ai-stack/topology.yaml' },
  'run-dir': { type: 'string' },
  detach: { type: 'boolean', default: false },
} as const;

/** Label in the state file that lets `rebound stack down` tell these runs from experiment runs. */
export const stackUpLabel = 'stack up';
const detachTimeoutMs = 180_000;

export const subcommand: Command = {
  summary: 'start a stack and keep it running until Ctrl+C (or in the background with --detach)',
  usage: `${usage}\n\n  --topology FILE  topology to start (default targets/ai-stack/topology.yaml)\n  --run-dir DIR    folder for logs, data and endpoints.json (default .rebound/runs/<name>-<time>)\n  --detach         start in the background, print the endpoints and return; stop it with \`rebound stack down\``,
  async run(argv) {
    const { values } = parseOptions(argv, options, usage);
    const topologyFile = resolve(values.topology);
    if (!existsSync(topologyFile)) {
      throw new UsageError(`topology file not found: ${topologyFile}; pass --topology FILE`);
    }
    const topology = loadTopology(topologyFile);
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const runDir = resolve(
      values['run-dir'] ?? join(projectRoot, '.rebound', 'runs', `${topology.name}-${stamp}`),
    );

    if (values.detach) return detach(topologyFile, runDir);
    return runInForeground(topology, runDir);
  },
};

async function runInForeground(
  topology: ReturnType<typeof loadTopology>,
  runDir: string,
): Promise<number> {
  const aborter = new AbortController();
  let onSignal = (_signal: NodeJS.Signals) => {};
  const stopRequested = new Promise<NodeJS.Signals>((resolve) => {
    onSignal = (signal) => {
      aborter.abort();
      resolve(signal);
    };
  });
  // This command owns SIGINT and SIGTERM; the runtime's own hook then only acts on process exit.
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const runtime = new ProcessRuntime({ label: stackUpLabel });
  try {
    print(`starting ${topology.name} from ${topology.file}`);
    const endpoints = await runtime.start(topology, { runDir, signal: aborter.signal });
    printEndpoints(endpoints);
    print('\nThe stack is running. Press Ctrl+C to stop it.');
    const signal = await stopRequested;
    print(`\n${signal}: stopping the stack`);
    await runtime.stop();
    print('stack stopped');
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Starts `rebound stack up` in its own session with output in `<runDir>/stack.log`. */
async function detach(topologyFile: string, runDir: string): Promise<number> {
  mkdirSync(runDir, { recursive: true });
  const endpointsFile = join(runDir, 'endpoints.json');
  const logFile = join(runDir, 'stack.log');
  rmSync(endpointsFile, { force: true });
  const logFd = openSync(logFile, 'a');
  const child = spawn(
    process.execPath,
    [
      join(projectRoot, 'bin', 'rebound.js'),
      'stack',
      'up',
      '--topology',
      topologyFile,
      '--run-dir',
      runDir,
    ],
    { detached: true, stdio: ['ignore', logFd, logFd] },
  );
  child.unref();
  let exitCode: number | null | undefined;
  child.once('exit', (code) => {
    exitCode = code;
  });

  await waitUntil(() => existsSync(endpointsFile) || exitCode !== undefined, detachTimeoutMs, 100);
  if (!existsSync(endpointsFile)) {
    if (exitCode === undefined) child.kill('SIGTERM');
    const tail = tailLines(logFile, 20)
      .map((line) => `  | ${line}`)
      .join('\n');
    throw new RuntimeFailure(`the stack did not start; last lines of ${logFile}:\n${tail}`);
  }
  printEndpoints(JSON.parse(readFileSync(endpointsFile, 'utf8')) as StackEndpoints);
  print(
    `\nThe stack runs in the background (pid ${child.pid}). Stop it with \`rebound stack down\`.`,
  );
  return 0;
}
