import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Counter, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { monotonicNowMs } from '../../common/src/clock.ts';
import { createLogger } from '../../common/src/log.ts';
import { HealerEventReader } from '../src/observe/healer-events.ts';
import { MetricsScraper } from '../src/observe/metrics-scraper.ts';
import { type ProbeResult, Prober } from '../src/observe/prober.ts';
import { Timeline } from '../src/observe/timeline.ts';

const logger = createLogger('test');
logger.level = 'silent';
const servers: Server[] = [];

async function startServer(listener: RequestListener): Promise<string> {
  const server = createServer(listener);
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}

function healerEvent(seq: number, monotonicMs: number) {
  return {
    schemaVersion: 1,
    seq,
    kind: seq % 2 === 1 ? 'detected' : 'recovered',
    monotonicMs,
    wallTime: new Date().toISOString(),
    service: 'model',
    signal: 'probe.readiness',
    evidence: {},
    incidentId: `inc-${Math.ceil(seq / 2)}`,
  };
}

describe('healer event reader', () => {
  it('reconnects and resumes from the last seq', async () => {
    const runStartMonotonicMs = monotonicNowMs() - 1_000;
    const events = [1, 2, 3, 4, 5].map((seq) => healerEvent(seq, runStartMonotonicMs + seq * 100));
    const sinceParams: string[] = [];
    const url = await startServer((request, response) => {
      const requestUrl = new URL(request.url ?? '/', 'http://127.0.0.1');
      if (request.headers.authorization !== 'Bearer secret') {
        response.writeHead(401).end('missing token');
        return;
      }
      const since = Number(requestUrl.searchParams.get('since'));
      sinceParams.push(String(since));
      response.writeHead(200, { 'content-type': 'application/x-ndjson' });
      // The first connection sends three events, a bad line and half of the fourth, then drops.
      if (sinceParams.length === 1) {
        for (const event of events.slice(0, 3)) response.write(`${JSON.stringify(event)}\n`);
        response.write('{"not":"an event"}\n');
        response.write(JSON.stringify(events[3]).slice(0, 30));
        setTimeout(() => response.socket?.destroy(), 50);
        return;
      }
      for (const event of events.filter((item) => item.seq > since)) {
        response.write(`${JSON.stringify(event)}\n`);
      }
    });

    const timeline = new Timeline(runStartMonotonicMs, logger);
    const reader = new HealerEventReader({
      healerUrl: url,
      token: 'secret',
      timeline,
      reconnectDelayMs: 20,
      logger,
    });
    reader.start();
    await waitFor(() => reader.seq === 5);
    await reader.stop();

    expect(sinceParams.slice(0, 2)).toEqual(['0', '3']);
    expect(reader.events.map((event) => event.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(reader.events.map((event) => Math.round(event.tMs))).toEqual([100, 200, 300, 400, 500]);
    const entries = timeline.entries({ source: 'healer' });
    expect(entries.map((entry) => entry.type)).toEqual([
      'detected',
      'recovered',
      'detected',
      'recovered',
      'detected',
    ]);
  });

  it('keeps retrying a healer that rejects the token', async () => {
    let attempts = 0;
    const url = await startServer((_request, response) => {
      attempts++;
      response.writeHead(401).end('invalid token');
    });
    const reader = new HealerEventReader({
      healerUrl: url,
      token: 'wrong',
      timeline: new Timeline(monotonicNowMs(), logger),
      reconnectDelayMs: 10,
      maxReconnectDelayMs: 40,
      logger,
    });
    reader.start();
    await waitFor(() => attempts >= 3);
    await reader.stop();
    expect(reader.events).toHaveLength(0);
    expect(reader.connectCount).toBeGreaterThanOrEqual(3);
  });

  it('rejects a healer URL outside loopback', () => {
    const create = () =>
      new HealerEventReader({
        healerUrl: 'http://192.168.1.10:4900',
        token: 't',
        timeline: new Timeline(0, logger),
        logger,
      });
    expect(create).toThrow('host "192.168.1.10" is not loopback');
  });
});

describe('prober', () => {
  it('records liveness and readiness per service', async () => {
    const healthy = await startServer((request, response) => {
      response.writeHead(request.url === '/readyz' ? 503 : 200).end();
    });
    const stalled = await startServer((_request, response) => {
      setTimeout(() => response.end(), 1_000).unref();
    });
    const timeline = new Timeline(monotonicNowMs(), logger);
    const prober = new Prober({
      targets: [
        { service: 'gateway', url: healthy },
        { service: 'model', url: stalled },
      ],
      timeline,
      intervalMs: 100,
      timeoutMs: 150,
      logger,
    });
    prober.start();
    await waitFor(() => timeline.size >= 8);
    await prober.stop();

    const results = timeline.entries<ProbeResult>({ source: 'probe' }).map((entry) => entry.data);
    const of = (service: string, check: string) =>
      results.filter((result) => result.service === service && result.check === check);
    expect(of('gateway', 'liveness').every((result) => result.ok && result.status === 200)).toBe(
      true,
    );
    expect(of('gateway', 'readiness').every((result) => !result.ok && result.status === 503)).toBe(
      true,
    );
    for (const result of of('model', 'liveness')) {
      expect(result.ok).toBe(false);
      expect(result.error).toBe('timeout');
      expect(result.latencyMs).toBeLessThan(400);
    }
    expect(of('model', 'liveness').length).toBeGreaterThanOrEqual(2);
  });
});

describe('metrics scraper', () => {
  it('records counter totals per service', async () => {
    const registry = new Registry();
    registry.setDefaultLabels({ service: 'gateway' });
    const errors = new Counter({
      name: 'dependency_errors_total',
      help: 'Failed dependency calls.',
      labelNames: ['dependency', 'reason'],
      registers: [registry],
    });
    errors.inc({ dependency: 'model', reason: 'timeout' }, 2);
    errors.inc({ dependency: 'postgres', reason: 'refused' }, 1);
    const url = await startServer(async (request, response) => {
      if (request.url !== '/metrics') return void response.writeHead(404).end();
      response.setHeader('content-type', registry.contentType);
      response.end(await registry.metrics());
    });
    const timeline = new Timeline(monotonicNowMs(), logger);
    const scraper = new MetricsScraper({
      targets: [
        { service: 'gateway', url },
        { service: 'absent', url: 'http://127.0.0.1:1' },
      ],
      timeline,
      logger,
    });

    const [first] = await scraper.scrapeAll();
    errors.inc({ dependency: 'model', reason: 'timeout' }, 5);
    const [second] = await scraper.scrapeAll();

    expect(first?.totals.dependency_errors_total).toBe(3);
    expect(first?.totals.http_requests_total).toBe(0);
    expect(second?.totals.dependency_errors_total).toBe(8);
    expect(second?.series['dependency_errors_total{dependency="model",reason="timeout"}']).toBe(7);
    expect(timeline.entries({ source: 'metrics', type: 'counters' })).toHaveLength(2);
    expect(timeline.entries({ source: 'metrics', type: 'scrape.failed' })).toHaveLength(2);
  });
});
