import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, parseConfig } from '../../common/src/config/load.ts';
import type { Topology } from '../../common/src/topology.ts';
import {
  checkFaultTarget,
  faultKinds,
  faultSpecSchema,
  resolveFaultSpecs,
} from '../src/faults/registry.ts';

const experimentSchema = z.strictObject({ faults: z.array(faultSpecSchema) });

function problemsOf(yaml: string): string[] {
  try {
    parseConfig(yaml, 'exp.yaml', experimentSchema);
  } catch (error) {
    if (error instanceof ConfigError) return error.message.split('\n');
    throw error;
  }
  return [];
}

function parse(yaml: string) {
  return parseConfig(yaml, 'exp.yaml', experimentSchema).faults;
}

const topology: Pick<Topology, 'components' | 'edges'> = {
  components: {
    postgres: { type: 'postgres', database: 'rebound', extensions: [] },
    gateway: {
      type: 'node',
      entry: 'gateway.ts',
      env: {},
      admin: false,
      health: { liveness: '/healthz', readiness: '/readyz', startTimeout: 20_000 },
    },
    model: {
      type: 'node',
      entry: 'model.ts',
      env: {},
      admin: true,
      health: { liveness: '/healthz', readiness: '/readyz', startTimeout: 20_000 },
    },
  },
  edges: [
    { from: 'gateway', to: 'postgres', env: 'DATABASE_URL' },
    { from: 'gateway', to: 'model', env: 'MODEL_URL' },
  ],
};

describe('faultSpecSchema', () => {
  it('reads times as milliseconds and fills defaults', () => {
    const [latency, kill] = parse(`faults:
  - kind: latency
    target: gateway-to-postgres
    at: 5s
    duration: 2m
    params: { latency: 2s, jitter: 100ms }
  - { kind: kill, target: model, at: 500ms, duration: 10s }
`);

    expect(latency).toEqual({
      kind: 'latency',
      target: 'gateway-to-postgres',
      at: 5_000,
      duration: 120_000,
      params: { latency: 2_000, jitter: 100, direction: 'downstream', toxicity: 1 },
    });
    expect(kill?.params).toEqual({ signal: 'SIGKILL' });
  });

  it('rejects bare numbers for times', () => {
    const problems = problemsOf(`faults:
  - kind: latency
    target: gateway-to-postgres
    at: 5
    duration: 10s
    params: { latency: 2000 }
`);

    expect(problems).toEqual([
      'exp.yaml:4:9 faults[0].at: a duration needs a unit: write 5ms or 5s',
      'exp.yaml:6:24 faults[0].params.latency: a duration needs a unit: write 2000ms or 2000s',
    ]);
  });

  it('reports wrong params with their paths', () => {
    const problems = problemsOf(`faults:
  - kind: bandwidth
    target: gateway-to-postgres
    at: 1s
    duration: 10s
    params: { rate: 1.5, direction: sideways, toxicity: 2, colour: red }
  - kind: kill
    target: model
    at: 1s
    duration: 10s
    params: { signal: SIGSTOP }
`);

    expect(problems).toHaveLength(5);
    expect(problems[0]).toBe(
      'exp.yaml:6:21 faults[0].params.rate: expected a whole number of KB/s',
    );
    expect(problems[1]).toBe(
      'exp.yaml:6:37 faults[0].params.direction: invalid value "sideways"; allowed: upstream, downstream',
    );
    expect(problems[2]).toMatch(/^exp\.yaml:6:57 faults\[0\]\.params\.toxicity: /);
    expect(problems[3]).toMatch(
      /^exp\.yaml:6:\d+ faults\[0\]\.params\.colour: unknown key "colour"/,
    );
    expect(problems[4]).toBe(
      'exp.yaml:11:23 faults[1].params.signal: invalid value "SIGSTOP"; allowed: SIGKILL, SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGABRT',
    );
  });

  it('names the allowed kinds for an unknown kind', () => {
    const problems = problemsOf(`faults:
  - { kind: latenzy, target: a-to-b, at: 1s, duration: 1s }
`);

    expect(problems).toEqual([
      `exp.yaml:2:13 faults[0].kind: unknown kind "latenzy"; allowed: ${Object.keys(faultKinds).join(', ')}`,
    ]);
  });

  it('requires the params a kind cannot default', () => {
    const problems = problemsOf(`faults:
  - { kind: latency, target: gateway-to-postgres, at: 1s, duration: 1s }
  - { kind: model_deploy, target: model, at: 1s, duration: 1s }
`);

    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(
      /^exp\.yaml:2:\d+ faults\[0\]\.params\.latency: required: a duration/,
    );
    expect(problems[1]).toMatch(/^exp\.yaml:3:\d+ faults\[1\]\.params\.version: /);
  });

  it('rejects a slicer whose variation exceeds its size', () => {
    const problems = problemsOf(`faults:
  - kind: slicer
    target: gateway-to-postgres
    at: 1s
    duration: 1s
    params: { average_size: 10, size_variation: 10 }
`);

    expect(problems).toEqual([
      'exp.yaml:6:49 faults[0].params.size_variation: size_variation must be smaller than average_size',
    ]);
  });

  it('converts slicer delay to microseconds', () => {
    const [slicer] = parse(`faults:
  - kind: slicer
    target: gateway-to-postgres
    at: 1s
    duration: 1s
    params: { average_size: 10, delay: 3ms }
`);
    const fault = faultKinds.slicer;

    expect(slicer?.params).toMatchObject({ delay: 3 });
    expect(fault.targetType).toBe('edge');
  });
});

describe('resolveFaultSpecs', () => {
  it('names unnamed faults after kind and target', () => {
    const specs = resolveFaultSpecs(
      parse(`faults:
  - { kind: kill, target: model, at: 1s, duration: 1s }
  - { kind: kill, target: model, at: 5s, duration: 1s }
  - { name: kill-model-2, kind: pause, target: model, at: 9s, duration: 1s }
`),
    );

    expect(specs.map((spec) => spec.name)).toEqual(['kill-model', 'kill-model-3', 'kill-model-2']);
    expect(specs[1]).toMatchObject({ atMs: 5_000, durationMs: 1_000 });
  });
});

describe('checkFaultTarget', () => {
  it('accepts a proxy for an edge fault', () => {
    expect(
      checkFaultTarget({ kind: 'latency', target: 'gateway-to-postgres' }, topology),
    ).toBeUndefined();
  });

  it('lists the proxies for an unknown edge', () => {
    expect(checkFaultTarget({ kind: 'proxy_down', target: 'postgres' }, topology)).toBe(
      'unknown proxy "postgres" for a proxy_down fault; proxies: gateway-to-postgres, gateway-to-model',
    );
  });

  it('lists the components for an unknown component', () => {
    expect(checkFaultTarget({ kind: 'kill', target: 'gateway-to-postgres' }, topology)).toBe(
      'unknown component "gateway-to-postgres" for a kill fault; components: postgres, gateway, model',
    );
  });

  it('restricts model_deploy to admin services', () => {
    expect(checkFaultTarget({ kind: 'model_deploy', target: 'model' }, topology)).toBeUndefined();
    expect(checkFaultTarget({ kind: 'model_deploy', target: 'gateway' }, topology)).toBe(
      'component "gateway" cannot take a model_deploy fault: it needs a node service with admin endpoints (admin: true); eligible: model',
    );
  });
});
