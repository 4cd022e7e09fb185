import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Scorecard } from '../src/score/scorecard.ts';

// Runs `rebound run` as a real process against the reference AI stack on loopback: PostgreSQL,
// Redis, Toxiproxy, the five services and the healer. Each test takes about a minute.

const root = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'rebound-run-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const STREAM = join(root, 'targets/ai-stack/data/generated/stream.jsonl');

/** The reference healing policy, with the canary's golden set at an absolute path. */
function writePolicy(): string {
  const text = readFileSync(join(root, 'targets/ai-stack/healer-policy.yaml'), 'utf8');
  const policy = text.replace(
    'golden: data/generated/golden.jsonl',
    `golden: ${join(root, 'targets/ai-stack/data/generated/golden.jsonl')}`,
  );
  const file = join(work, 'policy.yaml');
  writeFileSync(file, policy);
  return file;
}

function experiment(name: string, faults: string, durationSeconds: number): string {
  return `apiVersion: rebound.dev/v1
kind: Experiment
metadata: {name: ${name}}
target: {topology: ${join(root, 'targets/ai-stack/topology.yaml')}}
load:
  rate: 20
  duration: ${durationSeconds}s
  warmup: 2s
  mix:
    - {name: classify, weight: 4, target: gateway, method: POST, path: /v1/classify, dataset: ${STREAM}, body: {text: "{{text}}"}}
    - {name: ingest, weight: 1, target: ingest, method: POST, path: /v1/messages, dataset: ${STREAM}, body: {id: "{{id}}", text: "{{text}}"}, acknowledges: id}
steadyState:
  baseline: 5s
  hold: 5s
  slis:
    error_rate: {max: 0.05}
    latency_p95: {max: 250ms}
faults:
${faults}
healer: {policy: ${writePolicy()}}
dataLoss: {drainTimeout: 2s}
expectations:
  detectWithin: 10s
  recoverWithin: 15s
  maxDataLoss: 0
`;
}

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

function startCli(
  file: string,
  reportDir: string,
): { child: ChildProcess; done: Promise<Finished> } {
  const child = spawn(
    'node',
    [join(root, 'bin/rebound.js'), 'run', file, '--report-dir', reportDir],
    {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1' },
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const done = new Promise<Finished>((resolvePromise) => {
    child.on('exit', (code) => resolvePromise({ code, stdout, stderr }));
  });
  return { child, done };
}

/** Every process below `pid`, found through `ps`, so the test can check that none outlives the run. */
function descendants(pid: number): number[] {
  const table = execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift() as number;
    for (const [child, ppid] of table) {
      if (ppid === parent) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

/** Processes of `pids` still alive after a short grace, in which exiting ones finish. */
async function survivors(pids: number[]): Promise<number[]> {
  for (let attempt = 0; attempt < 30; attempt++) {
    if (!pids.some(alive)) return [];
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 100));
  }
  return pids.filter(alive);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitForOutput(child: ChildProcess, text: string, timeoutMs: number): Promise<void> {
  let seen = '';
  await new Promise<void>((resolvePromise, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`"${text}" not printed within ${timeoutMs} ms:\n${seen}`)),
      timeoutMs,
    );
    child.stdout?.on('data', (chunk) => {
      seen += chunk;
      if (seen.includes(text)) {
        clearTimeout(timer);
        resolvePromise();
      }
    });
  });
}

function readScorecard(reportDir: string): { dir: string; scorecard: Scorecard } {
  const [runId] = readdirSync(reportDir);
  const dir = join(reportDir, runId as string);
  return { dir, scorecard: JSON.parse(readFileSync(join(dir, 'scorecard.json'), 'utf8')) };
}

describe('rebound run against the reference stack', () => {
  it('measures TTD and TTR for a latency toxic and a process kill', async () => {
    const faults = [
      '  - {name: slow-store, kind: latency, target: gateway-to-postgres, at: 1s, duration: 6s, params: {latency: 400ms}}',
      '  - {name: embedder-down, kind: kill, target: embedder, at: 10s, duration: 8s}',
    ].join('\n');
    const file = join(work, 'short.yaml');
    writeFileSync(file, experiment('short-real-run', faults, 32));
    const reportDir = join(work, 'reports-short');

    const { child, done } = startCli(file, reportDir);
    await waitForOutput(child, 'fault slow-store injected', 60_000);
    const stackProcesses = descendants(child.pid as number);
    const result = await done;

    expect(result.stderr).toBe('');
    expect([0, 1]).toContain(result.code);
    const { dir, scorecard } = readScorecard(reportDir);
    for (const name of [
      'scorecard.json',
      'scorecard.md',
      'junit.xml',
      'events.jsonl',
      'harness.log',
    ]) {
      expect(existsSync(join(dir, name)), name).toBe(true);
    }
    for (const log of ['gateway.log', 'embedder.log', 'postgres.log', 'healer.log']) {
      expect(existsSync(join(dir, 'logs', log)), log).toBe(true);
    }
    const faultResults = scorecard.trials[0]?.faults ?? [];
    expect(faultResults.map((fault) => fault.name)).toEqual(['slow-store', 'embedder-down']);
    for (const fault of faultResults) {
      expect(fault.injected, fault.name).toBe(true);
      expect(fault.ttdMs, `${fault.name} TTD`).toBeGreaterThan(0);
      expect(fault.ttrMs, `${fault.name} TTR`).toBeGreaterThan(0);
    }
    expect(scorecard.trials[0]?.dataLoss?.missing).toEqual([]);
    expect(scorecard.cleanup.clean).toBe(true);
    expect(stackProcesses.length).toBeGreaterThan(5);
    expect(await survivors(stackProcesses)).toEqual([]);
  }, 150_000);

  it('reverts, tears down and reports an interrupt mid-fault', async () => {
    const faults = [
      '  - {name: slow-store, kind: latency, target: gateway-to-postgres, at: 1s, duration: 20s, params: {latency: 300ms}}',
      '  - {name: embedder-down, kind: kill, target: embedder, at: 1s, duration: 20s}',
    ].join('\n');
    const file = join(work, 'interrupted.yaml');
    writeFileSync(file, experiment('interrupted-run', faults, 35));
    const reportDir = join(work, 'reports-interrupted');

    const { child, done } = startCli(file, reportDir);
    await waitForOutput(child, 'fault embedder-down injected', 60_000);
    const stackProcesses = descendants(child.pid as number);
    child.kill('SIGINT');
    const result = await done;

    expect(result.code).toBe(130);
    expect(result.stdout).toContain('SIGINT: reverting faults and tearing down');
    const { scorecard } = readScorecard(reportDir);
    expect(scorecard.status).toBe('interrupted');
    const cleanup = scorecard.trials[0]?.cleanup;
    expect(cleanup?.toxicsLeft).toEqual([]);
    expect(cleanup?.stoppedProcesses).toEqual([]);
    expect(cleanup?.unhealthy).toEqual([]);
    expect(scorecard.trials[0]?.faults.every((fault) => fault.tRevertMs !== undefined)).toBe(true);
    expect(await survivors(stackProcesses)).toEqual([]);
  }, 150_000);
});
