// Measures how long the process runtime takes until PostgreSQL (with cube), Redis, Toxiproxy with
// two proxies and one small HTTP service are all healthy, and prints the median over several runs.
// After each run it checks that teardown left no process alive and no port open.
// Usage: node --import tsx bench/stack-startup.ts [--runs N]
// Everything binds to 127.0.0.1; each run stops its stack before the next one starts.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { median } from 'simple-statistics';
import { loadTopology } from '../common/src/topology.ts';
import { ProcessRuntime } from '../harness/src/runtime/index.ts';
import { acceptsConnections } from '../harness/src/runtime/process/probes.ts';
import { isAlive } from '../harness/src/runtime/process/proc.ts';
import type { StackEndpoints } from '../harness/src/runtime/types.ts';

const goalMs = 5_000;
const topologyFile = new URL(
  '../harness/test/fixtures/runtime-stack/topology.yaml',
  import.meta.url,
).pathname;

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`--runs must be a positive integer, got ${values.runs}`);
  process.exit(2);
}

function listeningPorts(endpoints: StackEndpoints): number[] {
  const ports = Object.values(endpoints.components).map((component) => component.port);
  for (const proxy of Object.values(endpoints.proxies))
    ports.push(Number(proxy.listen.split(':')[1]));
  ports.push(Number(new URL(endpoints.toxiproxy.url).port));
  ports.push(Number(new URL(endpoints.supervisor.url).port));
  return ports;
}

/** Starts and stops the stack once; returns the start-up time and what teardown left behind. */
async function measureOnce(): Promise<{ startupMs: number; leftovers: string[] }> {
  const runDir = mkdtempSync(join(tmpdir(), 'rebound-bench-startup-'));
  const runtime = new ProcessRuntime({ label: 'bench stack-startup' });
  try {
    const startedMs = performance.now();
    const endpoints = await runtime.start(loadTopology(topologyFile), { runDir });
    const startupMs = performance.now() - startedMs;

    const pids = runtime.componentNames().map((name) => runtime.pid(name) as number);
    await runtime.stop();
    const leftovers = pids.filter(isAlive).map((pid) => `pid ${pid} alive`);
    for (const port of listeningPorts(endpoints)) {
      if (await acceptsConnections(port)) leftovers.push(`port ${port} open`);
    }
    return { startupMs, leftovers };
  } finally {
    await runtime.stop();
    rmSync(runDir, { recursive: true, force: true });
  }
}

const timesMs: number[] = [];
let clean = true;
for (let run = 1; run <= runs; run++) {
  const { startupMs, leftovers } = await measureOnce();
  timesMs.push(startupMs);
  const teardown =
    leftovers.length === 0 ? 'teardown clean' : `teardown left ${leftovers.join(', ')}`;
  console.log(`run ${run}: healthy after ${(startupMs / 1000).toFixed(2)} s, ${teardown}`);
  clean &&= leftovers.length === 0;
}

const medianMs = median(timesMs);
console.log(
  `median start-up over ${runs} run(s): ${(medianMs / 1000).toFixed(2)} s ` +
    `(goal under ${goalMs / 1000} s; min ${(Math.min(...timesMs) / 1000).toFixed(2)} s, ` +
    `max ${(Math.max(...timesMs) / 1000).toFixed(2)} s; ${process.platform}, ${cpus().length} CPUs)`,
);
console.log(
  clean
    ? 'every teardown left no process and no open port'
    : 'a teardown left processes or ports behind',
);
process.exitCode = clean ? 0 : 1;
