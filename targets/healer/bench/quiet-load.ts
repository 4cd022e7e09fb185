/**
 * Measures what the healer's detectors see on a healthy stack under load, to set thresholds from
 * data: the latency of liveness and readiness probes of every node service, the gateway's store
 * probe gauge and the mean classify latency per scrape, while 20 requests per second (four
 * classify to one ingest) run for `--seconds` (default 40). Prints percentiles and every healer
 * detection, each of which is a false alarm here.
 *
 * Usage: node --import tsx targets/healer/bench/quiet-load.ts [--seconds 40] [--rate 20]
 *
 * Everything runs on 127.0.0.1 and stops by itself.
 */
import { parseArgs } from 'node:util';
import { parsePrometheusText, sumMatching } from '../src/telemetry/metrics.ts';
import { probeOnce } from '../src/telemetry/probe.ts';
import { print, runLoad, sleep, startHealer, startStack, summarise } from './support.ts';

const SERVICES = ['ingest', 'embedder', 'indexer', 'model', 'gateway'];

async function sampleProbes(
  urls: Record<string, string>,
  until: () => boolean,
): Promise<Map<string, number[]>> {
  const samples = new Map<string, number[]>();
  const add = (key: string, value: number) =>
    samples.set(key, [...(samples.get(key) ?? []), value]);
  while (!until()) {
    await Promise.all(
      SERVICES.flatMap((service) =>
        (['/healthz', '/readyz'] as const).map(async (path) => {
          const result = await probeOnce(`${urls[service]}${path}`, 3_000);
          add(`${service} ${path}`, result.ok ? result.latencyMs : Number.POSITIVE_INFINITY);
        }),
      ),
    );
    await sleep(250);
  }
  return samples;
}

async function sampleGateway(gatewayUrl: string, until: () => boolean) {
  const storeMs: number[] = [];
  const classifyMeanMs: number[] = [];
  let previous: { sum: number; count: number } | undefined;
  while (!until()) {
    const text = await (await fetch(`${gatewayUrl}/metrics`)).text();
    const { samples } = parsePrometheusText(text);
    const labels = { route: '/v1/classify' };
    const store = sumMatching(samples, 'gateway_dependency_probe_latency_seconds', {
      dependency: 'postgres',
    });
    if (store !== undefined) storeMs.push(store * 1_000);
    const sum = sumMatching(samples, 'http_request_duration_seconds_sum', labels) ?? 0;
    const count = sumMatching(samples, 'http_request_duration_seconds_count', labels) ?? 0;
    if (previous && count > previous.count)
      classifyMeanMs.push(((sum - previous.sum) / (count - previous.count)) * 1_000);
    previous = { sum, count };
    await sleep(1_000);
  }
  return { storeMs, classifyMeanMs };
}

function row(name: string, values: number[]): string {
  const { p50, p95, max } = summarise(values);
  return `| ${name} | ${values.length} | ${p50.toFixed(1)} | ${p95.toFixed(1)} | ${max.toFixed(1)} |`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '40' },
      rate: { type: 'string', default: '20' },
    },
  });
  const durationMs = Number(values.seconds) * 1_000;
  const rate = Number(values.rate);
  if (!(durationMs > 0) || !(rate > 0))
    throw new Error('--seconds and --rate take positive numbers');

  const stack = await startStack();
  const healer = await startHealer(stack);
  try {
    const urls = Object.fromEntries(
      SERVICES.map((service) => [service, stack.endpoints.components[service]?.url ?? '']),
    );
    let done = false;
    const probes = sampleProbes(urls, () => done);
    const gateway = sampleGateway(urls.gateway as string, () => done);
    const load = await runLoad(stack.endpoints, rate, durationMs);
    done = true;
    const [probeSamples, gatewaySamples] = await Promise.all([probes, gateway]);

    print(`load: ${load.sent} requests at ${rate}/s, ${load.failed} failed or over 2 s\n`);
    print('| latency (ms) | samples | p50 | p95 | max |');
    print('| --- | --- | --- | --- | --- |');
    for (const [name, samples] of probeSamples) print(row(name, samples));
    print(row('gateway store probe gauge', gatewaySamples.storeMs));
    print(row('gateway classify mean per 1 s', gatewaySamples.classifyMeanMs));
    const detections = healer.events.events.filter((event) => event.kind === 'detected');
    print(`\nhealer detections (false alarms): ${detections.length}`);
    for (const event of detections)
      print(`  ${event.service} ${event.signal} ${JSON.stringify(event.evidence)}`);
  } finally {
    await healer.stop();
    await stack.stop();
  }
}

await main();
