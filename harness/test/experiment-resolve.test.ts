import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConfigError } from '../../common/src/config/load.ts';
import { loadExperiment } from '../src/experiment/resolve.ts';
import { makeFixture, VALID_EXPERIMENT, writeExperiment } from './experiment-fixture.ts';

const dir = makeFixture();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = writeExperiment(dir, VALID_EXPERIMENT);

describe('experiment resolution', () => {
  it('fills defaults', () => {
    const experiment = loadExperiment(file, { env: {} });
    expect(experiment.trials).toBe(1);
    expect(experiment.seed).toBe(1);
    expect(experiment.runtime).toBe('process');
    expect(experiment.expectedOutcome).toBe('pass');
    expect(experiment.healer.enabled).toBe(true);
    expect(experiment.healer.approval).toEqual({
      mode: undefined,
      delayMs: undefined,
      timeoutMs: undefined,
    });
    expect(experiment.dataLoss).toEqual({
      target: 'gateway',
      path: '/v1/documents/lookup',
      drainTimeoutMs: 10_000,
    });
    expect(experiment.probeServices).toEqual(['embedder', 'gateway']);
    expect(experiment.abort).toEqual([]);
  });

  it('converts bands and expectations to milliseconds', () => {
    const experiment = loadExperiment(file, { env: {} });
    expect(experiment.baselineMs).toBe(10_000);
    expect(experiment.holdWindowMs).toBe(10_000);
    expect(experiment.bands).toEqual({
      error_rate: { min: undefined, max: 0.01 },
      latency_p95: { min: undefined, max: 800 },
    });
    expect(experiment.expectations.detectWithinMs).toBe(10_000);
    expect(experiment.expectations.recoverWithinMs).toBe(30_000);
  });

  it('resolves paths against the experiment file', () => {
    const experiment = loadExperiment(file, { env: {} });
    expect(experiment.topology.file).toBe(join(dir, 'stack', 'topology.yaml'));
    expect(experiment.load.mix[0]?.dataset).toBe(join(dir, 'data', 'queries.jsonl'));
    expect(experiment.healer.policyFile).toBe(join(dir, 'stack', 'healer-policy.yaml'));
    expect(experiment.file).toBe(file);
  });

  it('applies flags over the environment over the file', () => {
    const env = { REBOUND_TRIALS: '3', REBOUND_SEED: '9', REBOUND_RUNTIME: 'docker' };
    const fromEnv = loadExperiment(file, { env });
    expect([fromEnv.trials, fromEnv.seed, fromEnv.runtime]).toEqual([3, 9, 'docker']);

    const fromFlags = loadExperiment(file, {
      env,
      trials: 5,
      seed: 7,
      runtime: 'process',
      healer: false,
    });
    expect([fromFlags.trials, fromFlags.seed, fromFlags.runtime]).toEqual([5, 7, 'process']);
    expect(fromFlags.healer.enabled).toBe(false);
  });

  it('lifts the policy rule with --no-healer', () => {
    const text = VALID_EXPERIMENT.replace(
      '  enabled: true\n',
      '  enabled: true\n  policy: gone.yaml\n',
    );
    const missing = writeExperiment(dir, text, 'no-policy.yaml');
    expect(() => loadExperiment(missing, { env: {} })).toThrow(/healing policy not found/);
    expect(loadExperiment(missing, { env: {}, healer: false }).healer.enabled).toBe(false);
  });

  it('reports invalid environment overrides', () => {
    const env = { REBOUND_TRIALS: 'many', REBOUND_RUNTIME: 'k8s' };
    try {
      loadExperiment(file, { env });
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigError).message.split('\n')).toEqual([
        'environment:1:1 REBOUND_RUNTIME: expected process or docker, got "k8s"',
        'environment:1:1 REBOUND_TRIALS: expected a whole number greater than 0, got "many"',
      ]);
    }
  });

  it('converts abort limits to the SLI unit', () => {
    const text = `${VALID_EXPERIMENT}abort:\n  - {sli: latency_p99, above: 2s, for: 5s}\n  - {sli: throughput, below: 3, for: 10s}\n`;
    const experiment = loadExperiment(writeExperiment(dir, text, 'abort.yaml'), { env: {} });
    expect(experiment.abort).toEqual([
      { sli: 'latency_p99', above: 2_000, below: undefined, forMs: 5_000 },
      { sli: 'throughput', above: undefined, below: 3, forMs: 10_000 },
    ]);
  });

  it('rejects a file of another kind with one problem', () => {
    const other = writeExperiment(dir, 'kind: Topology\nname: x\n', 'topology-like.yaml');
    expect(() => loadExperiment(other)).toThrow(
      'topology-like.yaml:1:7 kind: this file is a Topology, not an experiment: expected kind: Experiment',
    );
  });
});
