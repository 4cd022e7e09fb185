// Shared parts of the healer benchmarks: the reference stack through `rebound stack up`, a
// fresh healer process, a bounded open-loop load on loopback, and percentiles. Benchmarks reach
// the stack only through its endpoints file and HTTP APIs, like the healer's integration tests.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { quantileSorted } from 'simple-statistics';
import { EventFollower } from '../test/events-client.ts';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface Endpoints {
  adminToken: string;
  components: Record<string, { url: string }>;
  supervisor: { url: string; token: string };
  toxiproxy: { url: string };
}

/** Writes one line of the report to standard output, because the lint allows `console` only in bench/. */
export function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForFile(file: string, timeoutMs: number, child: ChildProcess): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!existsSync(file)) {
    if (child.exitCode !== null)
      throw new Error(`process exited with ${child.exitCode} before writing ${file}`);
    if (performance.now() > deadline) throw new Error(`${file} not written within ${timeoutMs} ms`);
    await sleep(100);
  }
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  await once(child, 'exit');
}

export interface Stack {
  runDir: string;
  endpoints: Endpoints;
  stop(): Promise<void>;
}

/** Starts the stack; with `keepRunDir` its folder (logs, healer events) stays for inspection. */
export async function startStack(keepRunDir = false): Promise<Stack> {
  const runDir = mkdtempSync(join(tmpdir(), 'healer-bench-'));
  const child = spawn(process.execPath, ['bin/rebound.js', 'stack', 'up', '--run-dir', runDir], {
    cwd: repoRoot,
    stdio: 'ignore',
  });
  const stop = async () => {
    await stopChild(child, 'SIGINT');
    if (keepRunDir) print(`run folder kept: ${runDir}`);
    else rmSync(runDir, { recursive: true, force: true });
  };
  try {
    await waitForFile(join(runDir, 'endpoints.json'), 90_000, child);
  } catch (error) {
    await stop();
    throw error;
  }
  const endpoints = JSON.parse(readFileSync(join(runDir, 'endpoints.json'), 'utf8')) as Endpoints;
  return { runDir, endpoints, stop };
}

export interface Healer {
  events: EventFollower;
  stop(): Promise<void>;
}

/** Starts the healer with the reference policy; `flags` adds command-line options. */
export async function startHealer(stack: Stack, flags: string[] = []): Promise<Healer> {
  const token = 'healer-bench';
  const infoFile = join(stack.runDir, 'healer.json');
  rmSync(infoFile, { force: true });
  const args = ['--import', 'tsx', 'targets/healer/src/main.ts'];
  args.push('--policy', 'targets/ai-stack/healer-policy.yaml');
  args.push('--endpoints', join(stack.runDir, 'endpoints.json'));
  args.push('--events', join(stack.runDir, 'healer-events.jsonl'));
  args.push('--token', token, '--info-file', infoFile, ...flags);
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'warn' },
  });
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  await waitForFile(infoFile, 30_000, child);
  const { url } = JSON.parse(readFileSync(infoFile, 'utf8')) as { url: string };
  const events = new EventFollower(url, token);
  events.start();
  return {
    events,
    stop: async () => {
      await events.stop();
      await stopChild(child, 'SIGTERM');
    },
  };
}

export function post(url: string, body: unknown, bearer?: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
    },
    body: JSON.stringify(body),
  });
}

/**
 * Sends `rate` requests per second for `durationMs`, four classify requests to one ingest. Requests
 * leave on schedule whether or not earlier ones returned. Returns how many failed or took over 2 s.
 */
export async function runLoad(
  endpoints: Endpoints,
  rate: number,
  durationMs: number,
): Promise<{ sent: number; failed: number }> {
  const stream = readFileSync(
    join(repoRoot, 'targets/ai-stack/data/generated/stream.jsonl'),
    'utf8',
  )
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { id: string; text: string; label: string });
  const gateway = endpoints.components.gateway?.url;
  const ingest = endpoints.components.ingest?.url;
  const pending: Promise<void>[] = [];
  let failed = 0;
  const startedAt = performance.now();
  for (let index = 0; performance.now() - startedAt < durationMs; index++) {
    const record = stream[index % stream.length] as (typeof stream)[number];
    const request =
      index % 5 === 4
        ? post(`${ingest}/v1/messages`, { ...record, id: `bench-${Date.now()}-${index}` })
        : post(`${gateway}/v1/classify`, { text: record.text });
    pending.push(
      Promise.race([request, sleep(2_000).then(() => undefined)]).then(
        (response) => {
          if (!response?.ok) failed++;
        },
        () => {
          failed++;
        },
      ),
    );
    const nextAt = startedAt + ((index + 1) * 1_000) / rate;
    await sleep(Math.max(0, nextAt - performance.now()));
  }
  await Promise.all(pending);
  return { sent: pending.length, failed };
}

/** p50, p95 and max of a sample, in its own unit; NaN when empty. */
export function summarise(values: readonly number[]): { p50: number; p95: number; max: number } {
  if (values.length === 0) return { p50: Number.NaN, p95: Number.NaN, max: Number.NaN };
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: quantileSorted(sorted, 0.5),
    p95: quantileSorted(sorted, 0.95),
    max: sorted[sorted.length - 1] as number,
  };
}
