import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { monotonicNowMs } from '../../common/src/clock.ts';
import { createLogger } from '../../common/src/log.ts';
import type { LoadSample } from '../src/load/series.ts';
import { parseEventLine, readHealerEventsFile } from '../src/observe/healer-events.ts';
import { parsePrometheusText, summarizeCounters } from '../src/observe/prometheus.ts';
import { Timeline } from '../src/observe/timeline.ts';

const logger = createLogger('test', {});
logger.level = 'silent';
const folder = mkdtempSync(join(tmpdir(), 'rebound-observe-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function sample(tMs: number, requests: number): LoadSample {
  return { tMs, requests } as LoadSample;
}

function event(seq: number, monotonicMs: number, kind = 'detected') {
  return {
    schemaVersion: 1,
    seq,
    kind,
    monotonicMs,
    wallTime: '2026-01-01T00:00:00.000Z',
    service: 'embedder',
    signal: 'probe.liveness',
    evidence: { failures: 3 },
    incidentId: 'inc-1',
  };
}

describe('timeline', () => {
  it('keeps entries in time order when they arrive late', () => {
    const timeline = new Timeline(0, logger);
    timeline.add({ tMs: 2_000, source: 'fault', type: 'injected', data: { name: 'a' } });
    timeline.addSample(sample(1_000, 5));
    timeline.add({ tMs: 3_000, source: 'fault', type: 'reverted', data: { name: 'a' } });
    timeline.add({ tMs: 2_000, source: 'harness', type: 'phase', data: { phase: 'method' } });
    expect(timeline.entries().map((entry) => [entry.tMs, entry.type])).toEqual([
      [1_000, 'sli'],
      [2_000, 'injected'],
      [2_000, 'phase'],
      [3_000, 'reverted'],
    ]);
  });

  it('filters by source, type and window', () => {
    const timeline = new Timeline(0, logger);
    for (const tMs of [1_000, 2_000, 3_000, 4_000]) timeline.addSample(sample(tMs, tMs / 1_000));
    timeline.add({ tMs: 2_500, source: 'probe', type: 'liveness', data: { ok: true } });
    expect(timeline.samples(2_000, 3_000).map((item) => item.requests)).toEqual([2, 3]);
    expect(timeline.entries({ source: 'probe' })).toHaveLength(1);
    expect(timeline.entries({ type: 'sli', fromMs: 3_500 })).toHaveLength(1);
    expect(timeline.size).toBe(5);
    expect(timeline.entries({ type: 'liveness' })).toHaveLength(1);
    expect(timeline.entries({ source: 'load', fromMs: 1_500, toMs: 2_500 })).toHaveLength(1);
    expect(timeline.entries({ fromMs: 2_000, toMs: 2_500 }).map((entry) => entry.tMs)).toEqual([
      2_000, 2_500,
    ]);
    expect(timeline.entries({ source: 'healer' })).toEqual([]);
    expect(timeline.entries({ fromMs: 5_000 })).toEqual([]);
  });

  it('stamps recorded entries with run time', () => {
    const timeline = new Timeline(monotonicNowMs() - 5_000, logger);
    timeline.record('harness', 'phase', { phase: 'steady-state' });
    const [entry] = timeline.entries();
    expect(entry?.tMs).toBeGreaterThanOrEqual(5_000);
    expect(entry?.tMs).toBeLessThan(6_000);
  });

  it('writes one JSON object per line', async () => {
    const timeline = new Timeline(0, logger);
    timeline.add({ tMs: 20, source: 'healer', type: 'detected', data: { seq: 1 } });
    timeline.add({ tMs: 10, source: 'fault', type: 'injected', data: { name: 'kill' } });
    const file = join(folder, 'events.jsonl');
    await timeline.writeJsonl(file);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      { tMs: 10, source: 'fault', type: 'injected', data: { name: 'kill' } },
      { tMs: 20, source: 'healer', type: 'detected', data: { seq: 1 } },
    ]);
  });
});

describe('healer event lines', () => {
  it('maps monotonic time to run time', () => {
    const parsed = parseEventLine(JSON.stringify(event(4, 10_250)), 10_000, logger);
    expect(parsed?.tMs).toBe(250);
    expect(parsed?.seq).toBe(4);
  });

  it('skips invalid lines', () => {
    expect(parseEventLine('{not json', 0, logger)).toBeUndefined();
    expect(
      parseEventLine(JSON.stringify({ ...event(1, 5), kind: 'exploded' }), 0, logger),
    ).toBeUndefined();
    expect(parseEventLine('   ', 0, logger)).toBeUndefined();
  });

  it('reads an event file after the fact', () => {
    const file = join(folder, 'healer-events.jsonl');
    const lines = [event(1, 1_100), 'garbage', event(2, 1_900, 'recovered')].map((line) =>
      typeof line === 'string' ? line : JSON.stringify(line),
    );
    writeFileSync(file, `${lines.join('\n')}\n`);
    const events = readHealerEventsFile(file, 1_000, logger);
    expect(events.map((item) => [item.seq, item.kind, item.tMs])).toEqual([
      [1, 'detected', 100],
      [2, 'recovered', 900],
    ]);
  });
});

describe('prometheus text', () => {
  const text = [
    '# HELP http_requests_total HTTP requests served.',
    '# TYPE http_requests_total counter',
    'http_requests_total{route="/v1/classify",method="POST",status="200",service="gateway"} 12',
    'http_requests_total{route="/v1/classify",method="POST",status="503",service="gateway"} 3',
    'dependency_errors_total{dependency="model",reason="timeout",service="gateway"} 2 1700000000000',
    'process_cpu_seconds_total 0.5',
    'weird{path="a \\"quoted\\" \\\\ value"} +Inf',
  ].join('\n');

  it('parses names, labels and values', () => {
    const samples = parsePrometheusText(text);
    expect(samples).toHaveLength(5);
    expect(samples[0]).toEqual({
      name: 'http_requests_total',
      labels: { route: '/v1/classify', method: 'POST', status: '200', service: 'gateway' },
      value: 12,
    });
    expect(samples[3]).toEqual({ name: 'process_cpu_seconds_total', labels: {}, value: 0.5 });
    expect(samples[4]?.labels.path).toBe('a "quoted" \\ value');
    expect(samples[4]?.value).toBe(Number.POSITIVE_INFINITY);
  });

  it('rejects a malformed line with its number', () => {
    expect(() => parsePrometheusText('ok 1\nbroken{x="1" 2')).toThrow('invalid metrics line 2');
    expect(() => parsePrometheusText('ok abc')).toThrow('invalid value "abc" on metrics line 1');
  });

  it('sums selected counters per series', () => {
    const summary = summarizeCounters(parsePrometheusText(text), [
      'http_requests_total',
      'dependency_errors_total',
      'http_errors_total',
    ]);
    expect(summary.totals).toEqual({
      http_requests_total: 15,
      dependency_errors_total: 2,
      http_errors_total: 0,
    });
    expect(summary.series['dependency_errors_total{dependency="model",reason="timeout"}']).toBe(2);
    expect(Object.keys(summary.series)).toHaveLength(3);
  });
});
