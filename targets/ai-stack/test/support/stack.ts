import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Starts the AI stack for integration tests through the `rebound stack up` CLI in a child process
 * (the stack's code may not import the harness), and drives it through the supervisor API and
 * Toxiproxy's HTTP API, all on loopback.
 */
const projectRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..');
export const stackDir = join(projectRoot, 'targets', 'ai-stack');

/** The parts of the runtime's `endpoints.json` these tests use. */
export interface Endpoints {
  adminToken: string;
  components: Record<string, { url: string }>;
  toxiproxy: { url: string };
  supervisor: { url: string; token: string };
}

export interface RunningStack {
  endpoints: Endpoints;
  runDir: string;
  url(component: string): string;
  /** Runs a supervisor action (`kill`, `stop`, `start`, `restart`) and returns the new status. */
  supervise(component: string, action: string): Promise<{ state: string; pid?: number }>;
  setProxyEnabled(proxy: string, enabled: boolean): Promise<void>;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 90_000;

export async function startStack(): Promise<RunningStack> {
  const runDir = mkdtempSync(join(tmpdir(), 'rebound-ai-stack-'));
  const logFd = openSync(join(runDir, 'stack-up.log'), 'a');
  const child = spawn(
    process.execPath,
    [join(projectRoot, 'bin', 'rebound.js'), 'stack', 'up', '--run-dir', runDir],
    {
      cwd: projectRoot,
      stdio: ['ignore', logFd, logFd],
    },
  );
  const stop = () => stopChild(child, runDir);
  try {
    const endpoints = await waitForEndpoints(child, runDir);
    return makeStack(endpoints, runDir, stop);
  } catch (error) {
    await stop();
    throw error;
  }
}

async function waitForEndpoints(child: ChildProcess, runDir: string): Promise<Endpoints> {
  const file = join(runDir, 'endpoints.json');
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    if (existsSync(file)) {
      const endpoints = JSON.parse(readFileSync(file, 'utf8')) as Endpoints;
      if (await allReady(endpoints)) return endpoints;
    }
    await sleep(200);
  }
  const log = readFileSync(join(runDir, 'stack-up.log'), 'utf8').split('\n').slice(-20).join('\n');
  throw new Error(`the AI stack did not become ready; last lines of stack-up.log:\n${log}`);
}

async function allReady(endpoints: Endpoints): Promise<boolean> {
  for (const name of ['embedder', 'model', 'indexer', 'gateway', 'ingest']) {
    const url = endpoints.components[name]?.url;
    if (!url) return false;
    const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) }).catch(
      () => undefined,
    );
    if (response?.status !== 200) return false;
  }
  return true;
}

function makeStack(endpoints: Endpoints, runDir: string, stop: () => Promise<void>): RunningStack {
  const url = (component: string) => {
    const found = endpoints.components[component]?.url;
    if (!found) throw new Error(`no component ${component} in endpoints.json`);
    return found;
  };
  return {
    endpoints,
    runDir,
    url,
    stop,
    async supervise(component, action) {
      const response = await fetch(
        `${endpoints.supervisor.url}/v1/components/${component}/${action}`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${endpoints.supervisor.token}` },
          signal: AbortSignal.timeout(30_000),
        },
      );
      const body = (await response.json()) as { state: string; pid?: number; error?: string };
      if (response.status !== 200)
        throw new Error(
          `supervisor ${action} ${component} failed: ${response.status} ${body.error}`,
        );
      return body;
    },
    async setProxyEnabled(proxy, enabled) {
      const response = await fetch(`${endpoints.toxiproxy.url}/proxies/${proxy}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ enabled }),
        signal: AbortSignal.timeout(5_000),
      });
      if (response.status !== 200)
        throw new Error(
          `toxiproxy update of ${proxy} failed: ${response.status} ${await response.text()}`,
        );
    },
  };
}

/** Stops `rebound stack up` with SIGINT, as Ctrl+C would, and removes the run folder. */
async function stopChild(child: ChildProcess, runDir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(runDir, { recursive: true, force: true });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await sleep(200);
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`,
  );
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
