import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { Toxiproxy } from 'toxiproxy-node-client';
import { loadTopology } from '../../../common/src/topology.ts';
import type { FaultContext } from '../../src/faults/types.ts';
import { ProcessRuntime } from '../../src/runtime/index.ts';
import type { Runtime, StackEndpoints } from '../../src/runtime/types.ts';

const TOPOLOGY_FILE = fileURLToPath(new URL('./fault-topology.yaml', import.meta.url));

/** Proxy of the edge from `client` to `app`, the target of every edge fault in the tests. */
export const APP_PROXY = 'client-to-app';

/** What the fault tests run against: the `process` runtime running the fault test topology. */
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

/** Reads the state letter of a process from `/proc/<pid>/stat`: R, S, T (stopped), Z, … */
export function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const end = stat.lastIndexOf(')');
    return stat.slice(end + 2, end + 3);
  } catch {
    return undefined;
  }
}

/** Starts Toxiproxy and the three test services on loopback with the real `process` runtime. */
export async function startFaultStack(): Promise<FaultStack> {
  const scratch = mkdtempSync(join(tmpdir(), 'rebound-faults-'));
  const runtime = new ProcessRuntime({ stateDir: join(scratch, 'state'), handleSignals: false });
  const endpoints = await runtime.start(loadTopology(TOPOLOGY_FILE), {
    runDir: join(scratch, 'run'),
  });
  const toxiproxy = new Toxiproxy(endpoints.toxiproxy.url);
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });

  return {
    runtime,
    endpoints,
    toxiproxy,
    context: { runtime, endpoints, toxiproxy, logger },
    proxyUrl: `http://${endpoints.proxies[APP_PROXY]?.listen}`,
    leftovers: () => findLeftovers(runtime, endpoints),
    stop: async () => {
      await runtime.stop();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

/** Lists what a fault left behind, read from Toxiproxy's API, the runtime, `/proc` and the model. */
async function findLeftovers(runtime: Runtime, endpoints: StackEndpoints): Promise<string[]> {
  const problems: string[] = [];
  const response = await fetch(`${endpoints.toxiproxy.url}/proxies`);
  const proxies = (await response.json()) as Record<
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
