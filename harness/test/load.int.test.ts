import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { monotonicNowMs } from '../../common/src/clock.ts';
import { type RequestTrace, runLoad } from '../src/load/generator.ts';
import { RequestPlanner } from '../src/load/plan.ts';
import { type LoadSpec, loadSpecSchema } from '../src/load/spec.ts';

type Handler = (request: IncomingMessage, response: ServerResponse, body: string) => void;

const servers: Server[] = [];

async function startServer(handler: Handler): Promise<string> {
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => handler(request, response, body));
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Returns the URL of a port that was just bound and released, so connecting to it is refused. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const records = [
  { id: 'r1', text: 'alpha', label: 'one' },
  { id: 'r2', text: 'beta', label: 'two' },
  { id: 'r3', text: 'gamma', label: 'three' },
];

function datasetsFor(spec: LoadSpec) {
  return new Map(spec.mix.filter((entry) => entry.dataset).map((entry) => [entry.name, records]));
}

describe('load generator against a local server', () => {
  it('counts each error kind and adds up per second', async () => {
    const received = new Map<string, number>();
    const main = await startServer((request, response, body) => {
      const path = request.url ?? '';
      received.set(path, (received.get(path) ?? 0) + 1);
      if (path === '/echo') {
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ label: JSON.parse(body).text }));
      } else if (path === '/fail') {
        response.writeHead(503).end('unavailable');
      } else if (path === '/missing') {
        response.writeHead(404).end('not found');
      } else if (path === '/slow') {
        setTimeout(() => response.end('late'), 1_500).unref();
      } else if (path === '/reset') {
        request.socket.destroy();
      }
    });
    const echo = { method: 'POST', path: '/echo', dataset: 'd.jsonl', body: { text: '{{text}}' } };
    const spec = loadSpecSchema.parse({
      rate: 50,
      duration: '2s',
      timeout: '400ms',
      mix: [
        {
          name: 'right',
          weight: 2,
          target: 'main',
          ...echo,
          expect: { field: 'label', equals: '{{text}}' },
          acknowledges: 'id',
        },
        {
          name: 'wrong',
          weight: 1,
          target: 'main',
          ...echo,
          expect: { field: 'label', equals: '{{label}}' },
        },
        { name: 'fail', weight: 1, target: 'main', path: '/fail' },
        { name: 'missing', weight: 1, target: 'main', path: '/missing' },
        { name: 'slow', weight: 1, target: 'main', path: '/slow' },
        { name: 'reset', weight: 1, target: 'main', path: '/reset' },
        { name: 'refused', weight: 1, target: 'dead', path: '/' },
      ],
    });
    const expected = new Map<string, number>();
    const replay = new RequestPlanner(spec, datasetsFor(spec), 11);
    for (let index = 0; index < 100; index++) {
      const name = replay.next().name;
      expected.set(name, (expected.get(name) ?? 0) + 1);
    }

    const traces: RequestTrace[] = [];
    const result = await runLoad({
      spec,
      targets: { main, dead: await closedPortUrl() },
      planner: new RequestPlanner(spec, datasetsFor(spec), 11),
      runStartMonotonicMs: monotonicNowMs(),
      onRequest: (trace) => traces.push(trace),
    });

    const { totals } = result;
    expect(result.scheduled).toBe(100);
    expect(totals.requests).toBe(100);
    expect(totals.successes).toBe(expected.get('right'));
    expect(totals.errorsByKind.wrong_answer).toBe(expected.get('wrong'));
    expect(totals.errorsByKind.http_5xx).toBe(expected.get('fail'));
    expect(totals.errorsByKind.http_4xx).toBe(expected.get('missing'));
    expect(totals.errorsByKind.timeout).toBe(expected.get('slow'));
    expect(totals.errorsByKind.reset).toBe(expected.get('reset'));
    expect(totals.errorsByKind.refused).toBe(expected.get('refused'));
    expect(totals.errorsByKind.other).toBe(0);
    expect(totals.errorsByKind.overload).toBe(0);
    expect(received.get('/fail')).toBe(expected.get('fail'));
    expect(result.acknowledgedIds.size).toBeGreaterThan(0);
    expect([...result.acknowledgedIds].every((id) => /^r[123]$/.test(id))).toBe(true);

    for (const trace of traces.filter((item) => item.name === 'slow')) {
      // Node timers may fire up to 1 ms early against the monotonic clock.
      expect(trace.latencyMs).toBeGreaterThanOrEqual(395);
      expect(trace.latencyMs).toBeLessThan(900);
    }

    const sum = (pick: (sample: (typeof result.samples)[number]) => number) =>
      result.samples.reduce((total, sample) => total + pick(sample), 0);
    expect(sum((sample) => sample.requests)).toBe(totals.requests);
    expect(sum((sample) => sample.successes)).toBe(totals.successes);
    expect(sum((sample) => sample.errors)).toBe(totals.errors);
    expect(sum((sample) => sample.errorsByKind.timeout)).toBe(totals.errorsByKind.timeout);
    expect(sum((sample) => sample.wrongAnswers)).toBe(totals.wrongAnswers);
    expect(result.samples.length).toBeGreaterThanOrEqual(2);
    expect(result.samples.length).toBeLessThanOrEqual(3);
  });

  it('measures a 1 s stall from the scheduled time', async () => {
    const runStartMonotonicMs = monotonicNowMs();
    const stallStartMs = runStartMonotonicMs + 1_000;
    const stallEndMs = runStartMonotonicMs + 2_000;
    const url = await startServer((_request, response) => {
      const now = monotonicNowMs();
      const holdMs = now >= stallStartMs && now < stallEndMs ? stallEndMs - now : 0;
      setTimeout(() => response.end('ok'), holdMs);
    });
    const spec = loadSpecSchema.parse({
      rate: 40,
      duration: '3s',
      timeout: '2s',
      mix: [{ name: 'ping', weight: 1, target: 'app', path: '/' }],
    });

    const traces: RequestTrace[] = [];
    const result = await runLoad({
      spec,
      targets: { app: url },
      planner: new RequestPlanner(spec, new Map(), 1),
      runStartMonotonicMs,
      onRequest: (trace) => traces.push(trace),
    });

    expect(result.totals.successes).toBe(120);
    const stalled = traces.filter(
      (trace) => trace.scheduledMs >= 1_010 && trace.scheduledMs < 1_990,
    );
    expect(stalled.length).toBeGreaterThanOrEqual(36);
    for (const trace of stalled) {
      const heldMs = 2_000 - trace.scheduledMs;
      expect(trace.latencyMs).toBeGreaterThanOrEqual(heldMs - 15);
      expect(trace.latencyMs).toBeLessThan(heldMs + 250);
    }
    const before = traces.filter((trace) => trace.scheduledMs < 950);
    expect(Math.max(...before.map((trace) => trace.latencyMs ?? 0))).toBeLessThan(250);
    const stallSecond = result.samples.find((sample) => sample.tMs === 2_000);
    expect(stallSecond?.latencyP99Ms).toBeGreaterThan(950);
    expect(stallSecond?.latencyP50Ms).toBeGreaterThan(400);
  });

  it('sends on schedule and counts overflow as overload', async () => {
    const runStartMonotonicMs = monotonicNowMs();
    const arrivalsMs: number[] = [];
    const url = await startServer((_request, response) => {
      arrivalsMs.push(monotonicNowMs() - runStartMonotonicMs);
      setTimeout(() => response.end('ok'), 300);
    });
    const spec = loadSpecSchema.parse({
      rate: 100,
      duration: '1s',
      timeout: '1s',
      maxInFlight: 10,
      mix: [{ name: 'ping', weight: 1, target: 'app', path: '/' }],
    });
    const traces: RequestTrace[] = [];
    const result = await runLoad({
      spec,
      targets: { app: url },
      planner: new RequestPlanner(spec, new Map(), 1),
      runStartMonotonicMs,
      onRequest: (trace) => traces.push(trace),
    });

    expect(result.totals.requests).toBe(100);
    expect(result.totals.errorsByKind.overload).toBeGreaterThan(50);
    expect(result.totals.successes + result.totals.errorsByKind.overload).toBe(100);
    const scheduledMs = traces.map((trace) => trace.scheduledMs).sort((a, b) => a - b);
    scheduledMs.forEach((tMs, index) => {
      expect(tMs - result.startMs).toBeCloseTo(index * 10, 6);
    });
    const sentMs = traces
      .filter((trace) => trace.kind === 'success')
      .map((trace) => trace.scheduledMs)
      .sort((a, b) => a - b);
    expect(arrivalsMs).toHaveLength(sentMs.length);
    arrivalsMs.forEach((arrivalMs, index) => {
      const delayMs = arrivalMs - (sentMs[index] as number);
      expect(delayMs).toBeGreaterThan(-1);
      expect(delayMs).toBeLessThan(60);
    });
  });

  it('rejects a target outside loopback', async () => {
    const spec = loadSpecSchema.parse({
      rate: 1,
      duration: '1s',
      mix: [{ name: 'ping', weight: 1, target: 'app', path: '/' }],
    });
    await expect(
      runLoad({
        spec,
        targets: { app: 'http://10.0.0.5:8080' },
        planner: new RequestPlanner(spec, new Map(), 1),
        runStartMonotonicMs: monotonicNowMs(),
      }),
    ).rejects.toThrow('load target "app": host "10.0.0.5" is not loopback');
  });

  it('stops early when aborted', async () => {
    const url = await startServer((_request, response) => {
      setTimeout(() => response.end('ok'), 5_000).unref();
    });
    const spec = loadSpecSchema.parse({
      rate: 20,
      duration: '30s',
      timeout: '10s',
      mix: [{ name: 'ping', weight: 1, target: 'app', path: '/' }],
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 500);
    const startedMs = monotonicNowMs();
    const result = await runLoad({
      spec,
      targets: { app: url },
      planner: new RequestPlanner(spec, new Map(), 1),
      runStartMonotonicMs: startedMs,
      signal: controller.signal,
    });

    expect(monotonicNowMs() - startedMs).toBeLessThan(1_500);
    expect(result.interrupted).toBe(true);
    expect(result.scheduled).toBeGreaterThanOrEqual(9);
    expect(result.scheduled).toBeLessThanOrEqual(11);
    expect(result.cancelled).toBe(result.scheduled);
    expect(result.totals.requests).toBe(0);
  });
});
