import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePrometheusText, sumMatching } from '../src/telemetry/metrics.ts';
import { probeOnce } from '../src/telemetry/probe.ts';

describe('prometheus text parser', () => {
  const text = [
    '# HELP http_requests_total Requests.',
    '# TYPE http_requests_total counter',
    'http_requests_total{route="/v1/classify",status="200"} 1027',
    'http_requests_total{route="/v1/classify",status="500"} 3 1395066363000',
    'http_requests_total{route="/healthz",status="200"} 50',
    'latency_seconds_sum 12.5',
    'latency_seconds_bucket{le="+Inf"} +Inf',
    'escaped{path="a\\"b\\\\c"} 1',
    'broken{ 12',
  ].join('\n');

  it('reads names, labels and values', () => {
    const { samples, malformed } = parsePrometheusText(text);
    expect(samples).toHaveLength(6);
    expect(samples[1]).toEqual({
      name: 'http_requests_total',
      labels: { route: '/v1/classify', status: '500' },
      value: 3,
    });
    expect(samples[4]?.value).toBe(Number.POSITIVE_INFINITY);
    expect(samples[5]?.labels.path).toBe('a"b\\c');
    expect(malformed).toBe(1);
  });

  it('sums the series that match a label subset', () => {
    const { samples } = parsePrometheusText(text);
    expect(sumMatching(samples, 'http_requests_total', { route: '/v1/classify' })).toBe(1030);
    expect(sumMatching(samples, 'http_requests_total', {})).toBe(1080);
    expect(sumMatching(samples, 'missing_total', {})).toBeUndefined();
  });
});

describe('probe', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/slow') return void setTimeout(() => res.end('late'), 500);
      res.statusCode = req.url === '/healthz' ? 200 : 503;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('passes on 200', async () => {
    const result = await probeOnce(`${base}/healthz`, 500);
    expect(result).toMatchObject({ ok: true, status: 200 });
  });

  it('fails with status on 503', async () => {
    expect(await probeOnce(`${base}/readyz`, 500)).toMatchObject({
      ok: false,
      failure: 'status',
      status: 503,
    });
  });

  it('fails with timeout when no answer comes in time', async () => {
    const result = await probeOnce(`${base}/slow`, 100);
    expect(result.failure).toBe('timeout');
    expect(result.latencyMs).toBeGreaterThanOrEqual(99);
    expect(result.latencyMs).toBeLessThan(300);
  });

  it('fails with refused when nothing listens', async () => {
    const idle = createServer();
    await new Promise<void>((resolve) => idle.listen(0, '127.0.0.1', resolve));
    const port = (idle.address() as AddressInfo).port;
    await new Promise<void>((resolve) => idle.close(() => resolve()));
    expect((await probeOnce(`http://127.0.0.1:${port}/healthz`, 500)).failure).toBe('refused');
  });
});
