import { describe, expect, it } from 'vitest';
import { buildDetectors } from '../src/engine/detector-set.ts';
import { policySchema } from '../src/policy/schema.ts';
import { MetricStore, ProbeHistory, type TelemetryState } from '../src/telemetry/sources.ts';

const policy = policySchema.parse({
  apiVersion: 'rebound.dev/v1',
  kind: 'HealerPolicy',
  detectors: [
    {
      name: 'classify-errors',
      type: 'burn-rate',
      services: ['gateway'],
      errors: { metric: 'http_errors_total' },
      total: { metric: 'http_requests_total' },
      excluded: { metric: 'gateway_shed_requests_total' },
      objective: 0.99,
      shortWindow: '5s',
      longWindow: '30s',
      minEvents: 20,
    },
  ],
});

function scrape(state: TelemetryState, atMs: number, errors: number, total: number, shed: number) {
  state.metrics.add('gateway', {
    atMs,
    malformed: 0,
    samples: [
      { name: 'http_errors_total', labels: {}, value: errors },
      { name: 'http_requests_total', labels: {}, value: total },
      { name: 'gateway_shed_requests_total', labels: {}, value: shed },
    ],
  });
}

describe('burn-rate with excluded requests', () => {
  it('ignores shed requests', () => {
    const [detector] = buildDetectors(policy, ['gateway']);
    const state = {
      metrics: new MetricStore(),
      probes: new ProbeHistory(),
      canary: undefined,
      canaryWindowMs: 0,
    };
    let verdict: ReturnType<NonNullable<typeof detector>['evaluate']>;
    // 20 requests a second, half of them shed, none of the rest failing.
    for (let second = 0; second <= 30; second++) {
      scrape(state, second * 1_000, second * 10, second * 20, second * 10);
      verdict = detector?.evaluate(state, second * 1_000);
    }
    expect(verdict?.firing).toBe(false);
    expect(verdict?.evidence.shortBurnRate).toBe(0);
  });

  it('still fires on errors of admitted requests', () => {
    const [detector] = buildDetectors(policy, ['gateway']);
    const state = {
      metrics: new MetricStore(),
      probes: new ProbeHistory(),
      canary: undefined,
      canaryWindowMs: 0,
    };
    let verdict: ReturnType<NonNullable<typeof detector>['evaluate']>;
    // Half shed, and a fifth of the admitted ten fail: a 20 % error ratio, 20 times the budget.
    for (let second = 0; second <= 30; second++) {
      scrape(state, second * 1_000, second * 12, second * 20, second * 10);
      verdict = detector?.evaluate(state, second * 1_000);
    }
    expect(verdict?.firing).toBe(true);
    expect(verdict?.evidence.shortBurnRate).toBeCloseTo(20, 5);
  });
});
