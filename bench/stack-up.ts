// Measures how long the process runtime takes to start the AI stack until every service passes
// its readiness probe, over a few runs, and prints each run and the median. Usage:
//   node --import tsx bench/stack-up.ts [--runs N]
// Everything binds to 127.0.0.1 and is stopped after each run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadTopology } from '../common/src/topology.ts';
import { ProcessRuntime } from '../harness/src/runtime/index.ts';

const HEALTHY_TIMEOUT_MS = 60_000;
const GOAL_MS = 10_000;

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`--runs must be a positive integer, got ${values.runs}`);
  process.exit(2);
}

const topology = loadTopology(resolve(import.meta.dirname, '../targets/ai-stack/topology.yaml'));

async function measureOnce(run: number): Promise<number> {
  const runDir = mkdtempSync(join(tmpdir(), 'rebound-bench-stack-up-'));
  const runtime = new ProcessRuntime({ label: 'bench stack-up' });
  const started = performance.now();
  try {
    await runtime.start(topology, { runDir });
    await runtime.waitHealthy(HEALTHY_TIMEOUT_MS);
    const elapsedMs = performance.now() - started;
    console.log(`run ${run}: all healthy after ${(elapsedMs / 1000).toFixed(2)} s`);
    return elapsedMs;
  } finally {
    await runtime.stop();
    rmSync(runDir, { recursive: true, force: true });
  }
}

const timesMs: number[] = [];
for (let run = 1; run <= runs; run++) timesMs.push(await measureOnce(run));
timesMs.sort((a, b) => a - b);
const medianMs = timesMs[Math.floor(timesMs.length / 2)] as number;
const verdict = medianMs < GOAL_MS ? 'within' : 'over';
console.log(
  `median ${(medianMs / 1000).toFixed(2)} s over ${runs} run(s), ${verdict} the ${GOAL_MS / 1000} s goal`,
);
