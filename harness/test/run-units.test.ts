import { describe, expect, it } from 'vitest';
import { errorKinds } from '../src/load/classify.ts';
import type { LoadSample } from '../src/load/series.ts';
import { AbortMonitor } from '../src/run/abort.ts';
import { exitCodeOf } from '../src/run/experiment-run.ts';
import { probeRatio } from '../src/run/samples.ts';
import { suiteExitCode } from '../src/run/suite.ts';
import type { Scorecard } from '../src/score/scorecard.ts';

function second(tMs: number, errorRate: number, latencyP95Ms = 20): LoadSample {
  const requests = 20;
  const errors = Math.round(requests * errorRate);
  return {
    tMs,
    intervalMs: 1_000,
    warmup: false,
    requests,
    successes: requests - errors,
    errors,
    errorsByKind: {
      ...Object.fromEntries(errorKinds.map((kind) => [kind, 0])),
      http_5xx: errors,
    } as LoadSample['errorsByKind'],
    errorRate,
    latencyP50Ms: latencyP95Ms / 2,
    latencyP95Ms,
    latencyP99Ms: latencyP95Ms,
    throughputRps: requests - errors,
    answersChecked: 0,
    wrongAnswers: 0,
  };
}

describe('AbortMonitor', () => {
  it('trips after the SLI stays beyond the limit for the whole window', () => {
    const monitor = new AbortMonitor([{ sli: 'error_rate', above: 0.5, forMs: 3_000 }]);
    expect(monitor.check(second(10_000, 0.9), null)).toBeUndefined();
    expect(monitor.check(second(11_000, 0.9), null)).toBeUndefined();
    expect(monitor.check(second(12_000, 0.9), null)).toBe(
      'abort condition met: error_rate above 0.5 for 3s (last value 0.9)',
    );
  });

  it('starts over when the SLI comes back inside the limit', () => {
    const monitor = new AbortMonitor([{ sli: 'error_rate', above: 0.5, forMs: 2_000 }]);
    expect(monitor.check(second(1_000, 0.9), null)).toBeUndefined();
    expect(monitor.check(second(2_000, 0.1), null)).toBeUndefined();
    expect(monitor.check(second(3_000, 0.9), null)).toBeUndefined();
    expect(monitor.check(second(4_000, 0.9), null)).toMatch(/^abort condition met/);
  });

  it('compares latencies in milliseconds and ignores warmup', () => {
    const monitor = new AbortMonitor([{ sli: 'latency_p95', above: 500, forMs: 1_000 }]);
    expect(monitor.check({ ...second(1_000, 0, 900), warmup: true }, null)).toBeUndefined();
    expect(monitor.check(second(2_000, 0, 900), null)).toBe(
      'abort condition met: latency_p95 above 500ms for 1s (last value 900ms)',
    );
  });

  it('reads the probe ratio it is given', () => {
    const monitor = new AbortMonitor([{ sli: 'probe', below: 0.5, forMs: 1_000 }]);
    expect(monitor.check(second(1_000, 0), null)).toBeUndefined();
    expect(monitor.check(second(2_000, 0), 0.25)).toMatch(/probe below 0.5/);
  });
});

describe('probeRatio', () => {
  const probe = (tMs: number, ok: boolean) => ({
    tMs,
    data: {
      service: 'gateway',
      check: 'readiness' as const,
      ok,
      status: ok ? 200 : null,
      latencyMs: 1,
    },
  });

  it('counts the probes inside the sample second only', () => {
    const probes = [
      probe(900, false),
      probe(1_200, true),
      probe(1_700, false),
      probe(2_000, true),
      probe(2_100, false),
    ];
    expect(probeRatio(probes, { tMs: 2_000, intervalMs: 1_000 })).toBeCloseTo(2 / 3);
    expect(probeRatio(probes, { tMs: 5_000, intervalMs: 1_000 })).toBeNull();
  });
});

describe('exit codes', () => {
  const card = (status: Scorecard['status'], asExpected: boolean) =>
    ({ status, asExpected }) as Scorecard;

  it('maps each status to its exit code', () => {
    expect(exitCodeOf(card('passed', true))).toBe(0);
    expect(exitCodeOf(card('failed', false))).toBe(1);
    expect(exitCodeOf(card('inconclusive', false))).toBe(1);
    expect(exitCodeOf(card('errored', false))).toBe(3);
    expect(exitCodeOf(card('interrupted', false))).toBe(130);
  });

  it('counts an expected failure as success', () => {
    expect(exitCodeOf(card('failed', true))).toBe(0);
    expect(exitCodeOf(card('passed', false))).toBe(1);
  });

  it('gives a suite the worst code', () => {
    expect(suiteExitCode([card('passed', true), card('failed', true)])).toBe(0);
    expect(suiteExitCode([card('passed', true), card('failed', false)])).toBe(1);
    expect(suiteExitCode([card('failed', false), card('errored', false)])).toBe(3);
    expect(suiteExitCode([card('errored', false), card('interrupted', false)])).toBe(130);
  });
});
