import { spawn } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTopology } from '../../common/src/topology.ts';
import { ProcessRuntime } from '../src/runtime/index.ts';
import { isAlive } from '../src/runtime/process/proc.ts';
import type { StackEndpoints } from '../src/runtime/types.ts';
import {
  fixtureTopology,
  livePids,
  openPorts,
  removeScratchDirs,
  scratchDir,
  stackPorts,
} from './fixtures/runtime-stack/support.ts';

// Starts real PostgreSQL, Redis, Toxiproxy and a Node service on loopback, twice.
const starter = new URL('./fixtures/runtime-stack/start-and-wait.ts', import.meta.url).pathname;
const stateDir = scratchDir('crash-state');
let survivor: ProcessRuntime | undefined;

afterAll(async () => {
  await survivor?.stop();
  removeScratchDirs();
});

/** Starts the stack in a child process and returns what it printed once healthy. */
function startInChild(runDir: string) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', starter, fixtureTopology, runDir, stateDir],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, LOG_LEVEL: 'warn' },
    },
  );
  return new Promise<{ pid: number; endpoints: StackEndpoints; pids: number[] }>(
    (resolve, reject) => {
      let output = '';
      child.stdout.on('data', (chunk) => {
        output += chunk;
        if (output.includes('\n')) resolve({ pid: child.pid as number, ...JSON.parse(output) });
      });
      child.once('exit', (code) => reject(new Error(`the starter exited with code ${code}`)));
    },
  );
}

describe('crashed run', () => {
  it('is reaped by the next start', async () => {
    const crashedRunDir = scratchDir('crash-run');
    const crashed = await startInChild(crashedRunDir);
    const [stateEntry] = readdirSync(stateDir);
    expect(stateEntry).toMatch(/\.json$/);

    process.kill(crashed.pid, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(isAlive(crashed.pid)).toBe(false);
    expect(livePids(crashed.pids)).toEqual(crashed.pids);

    survivor = new ProcessRuntime({ stateDir, handleSignals: false });
    const runDir = scratchDir('crash-next');
    const endpoints = await survivor.start(loadTopology(fixtureTopology), { runDir });

    expect(livePids(crashed.pids)).toEqual([]);
    const crashedPorts = stackPorts(crashed.endpoints);
    const reused = new Set(stackPorts(endpoints));
    expect(await openPorts(crashedPorts.filter((port) => !reused.has(port)))).toEqual([]);
    expect(existsSync(join(stateDir, stateEntry as string))).toBe(false);
    expect(readdirSync(stateDir)).toHaveLength(1);
  });
});

describe('start-up failure', () => {
  function writeTopology(entry: string, startTimeout: string): string {
    const file = join(scratchDir('broken'), 'topology.yaml');
    const fixtures = new URL('./fixtures/runtime-stack/', import.meta.url).pathname;
    writeFileSync(
      file,
      [
        'apiVersion: rebound.dev/v1',
        'kind: Topology',
        'name: broken',
        'components:',
        '  api:',
        '    type: node',
        `    entry: ${join(fixtures, entry)}`,
        `    health: { startTimeout: ${startTimeout} }`,
      ].join('\n'),
    );
    return file;
  }

  it('names the service and shows its log', async () => {
    const runtime = new ProcessRuntime({ stateDir, handleSignals: false });
    const start = runtime.start(loadTopology(writeTopology('broken-service.ts', '10s')), {
      runDir: scratchDir('broken-run'),
    });
    await expect(start).rejects.toThrow(/^api exited during start-up \(code 3, signal null\)/);
    await expect(start).rejects.toThrow('fatal: model file missing');
  });

  it('gives up after the start timeout', async () => {
    const runtime = new ProcessRuntime({ stateDir, handleSignals: false });
    const startedMs = Date.now();
    const start = runtime.start(loadTopology(writeTopology('silent-service.ts', '1500ms')), {
      runDir: scratchDir('silent-run'),
    });
    await expect(start).rejects.toThrow(/^api did not become healthy within 1500 ms/);
    await expect(start).rejects.toThrow('waiting for a dependency that never comes');
    expect(Date.now() - startedMs).toBeLessThan(10_000);
  });
});
