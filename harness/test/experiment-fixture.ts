import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throwaway folder with a small topology, a healing policy and a dataset, for experiment tests
 * that must not depend on the reference stack's files.
 */
export const FIXTURE_TOPOLOGY = `apiVersion: rebound.dev/v1
kind: Topology
name: mini
components:
  postgres: {type: postgres}
  embedder: {type: node, entry: embedder.ts}
  gateway: {type: node, entry: gateway.ts, admin: true}
edges:
  - {from: gateway, to: embedder, env: EMBEDDER_URL}
  - {from: embedder, to: postgres, env: DATABASE_URL}
`;

/** A valid experiment against the fixture topology; tests edit it line by line. */
export const VALID_EXPERIMENT = `apiVersion: rebound.dev/v1
kind: Experiment
metadata:
  name: embedder-slow
  tags: [latency]
target:
  topology: stack/topology.yaml
load:
  rate: 20
  duration: 60s
  warmup: 5s
  mix:
    - name: search
      weight: 1
      target: gateway
      path: /v1/search
      dataset: data/queries.jsonl
steadyState:
  baseline: 10s
  hold: 10s
  slis:
    error_rate: {max: 0.01}
    latency_p95: {max: 800ms}
faults:
  - kind: latency
    target: embedder-to-postgres
    at: 5s
    duration: 20s
    params: {latency: 400ms}
healer:
  enabled: true
expectations:
  detectWithin: 10s
  recoverWithin: 30s
`;

export function makeFixture(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rebound-experiment-'));
  mkdirSync(join(dir, 'stack'));
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'stack', 'topology.yaml'), FIXTURE_TOPOLOGY);
  writeFileSync(join(dir, 'stack', 'healer-policy.yaml'), 'placeholder: true\n');
  writeFileSync(join(dir, 'data', 'queries.jsonl'), '{"text": "hello"}\n');
  return dir;
}

/** Writes `text` as `<dir>/<name>` and returns the path. */
export function writeExperiment(dir: string, text: string, name = 'experiment.yaml'): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}
