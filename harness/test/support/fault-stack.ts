import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { Toxiproxy } from 'toxiproxy-node-client';
import type { FaultContext } from '../../src/faults/types.ts';
import type { Runtime, StackEndpoints } from '../../src/runtime/types.ts';
import { FixtureRuntime, procState } from './fixture-runtime.ts';

const TOXIPROXY_BINARY = fileURLToPath(new URL('../../../.tools/bin/server', import.meta.url));
const ADMIN_TOKEN = 'fault-test-token';

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** What the fault tests run against: Toxiproxy, an HTTP service `app` behind a proxy, a fake model. */
export interface FaultStack {
  runtime: Runtime;
  endpoints: StackEndpoints;
  toxiproxy: Toxiproxy;
  context: FaultContext;
  /** `http://127.0.0.1:<port>` of the proxy `client-to-app`. */
  proxyUrl: string;
  /** Problems left behind by a fault: toxics, disabled proxies, components not running, a changed model. */
  leftovers(): Promise<string[]>;
  stop(): Promise<void>;
}

export const APP_PROXY = 'client-to-app';

/**
 * Starts the fault test stack on loopback. `runtime` defaults to a `FixtureRuntime` that runs the
 * two test services as child processes.
 */
export async function startFaultStack(): Promise<FaultStack> {
  const [toxiproxyPort, appPort, modelPort, proxyPort] = await Promise.all(
    Array.from({ length: 4 }, () => freePort()),
  );
  const toxiproxyUrl = `http://127.0.0.1:${toxiproxyPort}`;
  const toxiproxyProcess = spawn(
    TOXIPROXY_BINARY,
    ['-host', '127.0.0.1', '-port', String(toxiproxyPort)],
    {
      stdio: 'ignore',
    },
  );
  const runtime = new FixtureRuntime();
  const node = (script: string, port: number) => ({
    command: process.execPath,
    args: [fileURLToPath(new URL(script, import.meta.url))],
    env: { PORT: String(port), ADMIN_TOKEN },
    healthUrl: `http://127.0.0.1:${port}/healthz`,
  });
  runtime.add('app', node('./http-server.mjs', appPort as number));
  runtime.add('model', node('./fake-model.mjs', modelPort as number));

  try {
    await waitForToxiproxy(toxiproxyUrl, toxiproxyProcess);
    await Promise.all([runtime.startComponent('app'), runtime.startComponent('model')]);
    const toxiproxy = new Toxiproxy(toxiproxyUrl);
    const listen = `127.0.0.1:${proxyPort}`;
    const upstream = `127.0.0.1:${appPort}`;
    await toxiproxy.createProxy({ name: APP_PROXY, listen, upstream });

    const endpoints = stackEndpoints({ toxiproxyUrl, appPort, modelPort, listen, upstream });
    const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
    const context: FaultContext = { runtime, endpoints, toxiproxy, logger };
    return {
      runtime,
      endpoints,
      toxiproxy,
      context,
      proxyUrl: `http://${listen}`,
      leftovers: () => findLeftovers(toxiproxyUrl, runtime, endpoints),
      stop: async () => {
        await runtime.stop();
        await stopProcess(toxiproxyProcess);
      },
    };
  } catch (error) {
    await runtime.stop();
    await stopProcess(toxiproxyProcess);
    throw error;
  }
}

async function waitForToxiproxy(url: string, child: ChildProcess): Promise<void> {
  const deadline = performance.now() + 10_000;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`toxiproxy exited with code ${child.exitCode}`);
    const response = await fetch(`${url}/version`).catch(() => undefined);
    if (response?.ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`toxiproxy did not answer ${url}/version within 10 s`);
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

function stackEndpoints(ports: {
  toxiproxyUrl: string;
  appPort: number | undefined;
  modelPort: number | undefined;
  listen: string;
  upstream: string;
}): StackEndpoints {
  const component = (port: number | undefined) => ({
    type: 'node' as const,
    host: '127.0.0.1',
    port: port as number,
    url: `http://127.0.0.1:${port}`,
  });
  return {
    topology: 'fault-test',
    runDir: '',
    adminToken: ADMIN_TOKEN,
    components: { app: component(ports.appPort), model: component(ports.modelPort) },
    proxies: {
      [APP_PROXY]: { from: 'client', to: 'app', listen: ports.listen, upstream: ports.upstream },
    },
    toxiproxy: { url: ports.toxiproxyUrl },
    supervisor: { url: '', token: '' },
  };
}

/** Lists what a fault left behind, read from Toxiproxy's API, the runtime, `/proc` and the model. */
async function findLeftovers(toxiproxyUrl: string, runtime: Runtime, endpoints: StackEndpoints) {
  const problems: string[] = [];
  const proxies = (await (await fetch(`${toxiproxyUrl}/proxies`)).json()) as Record<
    string,
    { enabled: boolean; toxics: { name: string }[] }
  >;
  for (const [name, proxy] of Object.entries(proxies)) {
    if (!proxy.enabled) problems.push(`proxy ${name} is disabled`);
    for (const toxic of proxy.toxics) problems.push(`proxy ${name} has toxic ${toxic.name}`);
  }

  for (const status of await runtime.status()) {
    if (status.state !== 'running') problems.push(`${status.name} is ${status.state}`);
    const state = status.pid === undefined ? undefined : procState(status.pid);
    if (state === 'T') problems.push(`${status.name} (pid ${status.pid}) is stopped in /proc`);
  }

  const model = await fetch(`${endpoints.components.model?.url}/admin/model`, {
    headers: { authorization: `Bearer ${endpoints.adminToken}` },
  }).catch(() => undefined);
  const active = model?.ok ? ((await model.json()) as { active: string }).active : 'unreachable';
  if (active !== 'v1') problems.push(`model version is ${active}, not v1`);
  return problems;
}
