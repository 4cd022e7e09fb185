/**
 * Compares the harness's load generator with autocannon against one local HTTP server.
 *
 * The two tools measure different things. Autocannon is a closed model: a fixed number of
 * connections each send the next request as soon as the previous one returns, so it finds the
 * server's saturation throughput. Our generator is an open model: requests leave at a fixed rate
 * whether or not earlier ones returned. So this bench searches for our maximum sustainable rate
 * (every request succeeds, no `overload`, achieved throughput within 2 % of the rate and p99
 * latency under 50 ms) and compares that with autocannon's throughput.
 *
 * Usage: node --import tsx bench/load-vs-autocannon.ts [--seconds 3]
 * Everything runs on 127.0.0.1 and stops by itself: the server is a child process killed at the end.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { monotonicNowMs } from '../common/src/clock.ts';
import { createLogger } from '../common/src/log.ts';
import { runLoad } from '../harness/src/load/generator.ts';
import { RequestPlanner } from '../harness/src/load/plan.ts';
import type { LoadSpec } from '../harness/src/load/spec.ts';

/** The part of autocannon 8's API this bench uses; the package ships no type declarations. */
type Autocannon = (options: {
  url: string;
  connections: number;
  pipelining: number;
  duration: number;
}) => Promise<{ requests: { average: number }; latency: { p50: number; p99: number } }>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const AUTOCANNON_CONNECTIONS = 10;
const OUR_MAX_IN_FLIGHT = 100;
const LATENCY_LIMIT_MS = 50;
const SEARCH_START_RATE = 1_000;
const SEARCH_MAX_STEPS = 8;

if (process.argv.includes('--server')) {
  serve();
} else {
  await main();
}

/** The child process: responds to every request with a small JSON body and prints its port. */
function serve(): void {
  const body = JSON.stringify({ label: 'ham', score: 0.97 });
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(body);
  });
  server.listen(0, '127.0.0.1', () => {
    process.send?.({ port: (server.address() as AddressInfo).port });
  });
  process.on('disconnect', () => process.exit(0));
}

async function main(): Promise<void> {
  const secondsIndex = process.argv.indexOf('--seconds');
  const seconds = secondsIndex > 0 ? Number(process.argv[secondsIndex + 1]) : 3;
  const child = fork(new URL(import.meta.url).pathname, ['--server'], {
    execArgv: ['--import', 'tsx'],
  });
  try {
    const [message] = (await once(child, 'message')) as [{ port: number }];
    const url = `http://127.0.0.1:${message.port}`;
    const load = loadavg().map((value) => value.toFixed(1));
    console.log(`server: ${url} (child process ${child.pid}), ${seconds} s per run`);
    console.log(`machine: ${cpus().length} cores, load average ${load.join(' ')}`);

    const cannon = await runAutocannon(url, seconds);
    console.log(
      `autocannon: ${cannon.rps.toFixed(0)} req/s, p50 ${cannon.p50Ms} ms, p99 ${cannon.p99Ms} ms ` +
        `(${AUTOCANNON_CONNECTIONS} connections, closed model)`,
    );

    const ours = await findMaxSustainableRate(url, seconds);
    console.log(
      `rebound load: max sustainable rate ${ours.rate} req/s, achieved ${ours.rps.toFixed(0)} req/s, ` +
        `p50 ${ours.p50Ms?.toFixed(1)} ms, p99 ${ours.p99Ms?.toFixed(1)} ms (open model, ` +
        `up to ${OUR_MAX_IN_FLIGHT} in flight)`,
    );
    console.log(`ratio rebound / autocannon: ${(ours.rps / cannon.rps).toFixed(2)}`);
  } finally {
    stop(child);
  }
}

async function runAutocannon(url: string, seconds: number) {
  const result = await autocannon({
    url,
    connections: AUTOCANNON_CONNECTIONS,
    pipelining: 1,
    duration: seconds,
  });
  return { rps: result.requests.average, p50Ms: result.latency.p50, p99Ms: result.latency.p99 };
}

interface RateTrial {
  rate: number;
  rps: number;
  p50Ms: number | null;
  p99Ms: number | null;
  errors: number;
  sustained: boolean;
}

/** Doubles the rate until the generator cannot keep up, then bisects between the last two rates. */
async function findMaxSustainableRate(url: string, seconds: number): Promise<RateTrial> {
  let best: RateTrial | undefined;
  let low = 0;
  let high = Number.POSITIVE_INFINITY;
  let rate = SEARCH_START_RATE;
  for (let step = 0; step < SEARCH_MAX_STEPS; step++) {
    const trial = await runOurs(url, rate, seconds);
    console.log(
      `  rate ${rate}: achieved ${trial.rps.toFixed(0)} req/s, p99 ${trial.p99Ms?.toFixed(1)} ms, ` +
        `${trial.errors} errors, ${trial.sustained ? 'sustained' : 'not sustained'}`,
    );
    if (trial.sustained) {
      best = trial;
      low = rate;
    } else {
      high = rate;
    }
    rate = Number.isFinite(high) ? Math.round((low + high) / 2) : rate * 2;
    if (Number.isFinite(high) && high - low <= Math.max(100, low * 0.1)) break;
  }
  return best ?? { rate: 0, rps: 0, p50Ms: null, p99Ms: null, errors: 0, sustained: false };
}

async function runOurs(url: string, rate: number, seconds: number): Promise<RateTrial> {
  // Built directly instead of through loadSpecSchema, because the search may pass its rate cap.
  const spec: LoadSpec = {
    rate,
    duration: seconds * 1_000,
    warmup: 0,
    timeout: 2_000,
    maxInFlight: OUR_MAX_IN_FLIGHT,
    mix: [{ name: 'classify', weight: 1, target: 'server', method: 'GET', path: '/' }],
  };
  const logger = createLogger('bench');
  logger.level = 'warn';
  const startedMs = monotonicNowMs();
  const result = await runLoad({
    spec,
    targets: { server: url },
    planner: new RequestPlanner(spec, new Map(), 1),
    runStartMonotonicMs: startedMs,
    logger,
  });
  const elapsedSeconds = (result.endMs - result.startMs) / 1_000;
  const rps = result.totals.successes / elapsedSeconds;
  const sustained =
    result.totals.errors === 0 &&
    rps >= rate * 0.98 &&
    (result.totals.latencyP99Ms ?? Number.POSITIVE_INFINITY) < LATENCY_LIMIT_MS;
  return {
    rate,
    rps,
    p50Ms: result.totals.latencyP50Ms,
    p99Ms: result.totals.latencyP99Ms,
    errors: result.totals.errors,
    sustained,
  };
}

function stop(child: ChildProcess): void {
  if (child.exitCode === null && child.pid !== undefined) child.kill('SIGTERM');
}
