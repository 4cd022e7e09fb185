import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../common/src/config/load.ts';
import { loadExperiment } from '../src/experiment/resolve.ts';
import { makeFixture, VALID_EXPERIMENT, writeExperiment } from './experiment-fixture.ts';

const dir = makeFixture();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Loads `text` as `experiment.yaml` in the fixture folder and returns its problems as lines. */
function problemsOf(text: string): string[] {
  const file = writeExperiment(dir, text);
  try {
    loadExperiment(file);
  } catch (error) {
    if (error instanceof ConfigError)
      return error.message.split('\n').map((line) => line.replace(`${dir}/`, ''));
    throw error;
  }
  throw new Error('expected a ConfigError');
}

/** Replaces one exact line of the valid experiment. */
function edit(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`fixture has no line "${from}"`);
  return text.replace(from, to);
}

describe('experiment validation', () => {
  it('accepts the valid fixture', () => {
    const experiment = loadExperiment(writeExperiment(dir, VALID_EXPERIMENT));
    expect(experiment.name).toBe('embedder-slow');
    expect(experiment.faults).toEqual([
      {
        name: 'latency-embedder-to-postgres',
        kind: 'latency',
        target: 'embedder-to-postgres',
        atMs: 5_000,
        durationMs: 20_000,
        params: { latency: 400, jitter: 0, direction: 'downstream', toxicity: 1 },
      },
    ]);
  });

  it('reports every problem at once with file:line:column', () => {
    let text = VALID_EXPERIMENT;
    text = edit(text, '  tags: [latency]\n', '  tags: [latency]\n  owner: me\n');
    text = edit(text, '  rate: 20\n', '  rate: 20\n  rate: 30\n');
    text = edit(text, '  enabled: true\n', '  enabled: no\n');
    text = edit(text, '  hold: 10s\n', '  hold: 10\n');
    text = edit(text, '  - kind: latency\n', '  - kind: lag\n');
    text = edit(
      text,
      'healer:\n',
      '  - kind: kill\n    target: vector-db\n    at: 1s\n    duration: 5s\nhealer:\n',
    );
    text = edit(text, 'expectations:\n', 'faults2: 1\nexpectations:\n');

    expect(problemsOf(text)).toEqual([
      'experiment.yaml:6:3 metadata.owner: unknown key "owner"; allowed keys: name, description, tags, incident',
      'experiment.yaml:11:3 duplicate key "rate": each key may appear once in a mapping',
      'experiment.yaml:22:9 steadyState.hold: a duration needs a unit: write 10ms or 10s',
      'experiment.yaml:27:11 faults[0].kind: unknown kind "lag"; allowed: latency, bandwidth, slow_close, timeout, reset_peer, slicer, limit_data, proxy_down, kill, pause, stop, restart, model_deploy',
      'experiment.yaml:33:13 faults[1].target: unknown component "vector-db" for a kill fault; components: postgres, embedder, gateway',
      'experiment.yaml:37:12 healer.enabled: "no" is a string in YAML 1.2: write true or false',
      'experiment.yaml:38:1 faults2: unknown key "faults2"; allowed keys: apiVersion, kind, metadata, target, load, steadyState, faults, healer, expectations, abort, trials, seed, dataLoss',
    ]);
  });

  it('names the topology proxies for an unknown edge', () => {
    const text = edit(
      VALID_EXPERIMENT,
      'target: embedder-to-postgres',
      'target: gateway-to-postgres',
    );
    expect(problemsOf(text)).toEqual([
      'experiment.yaml:26:13 faults[0].target: unknown proxy "gateway-to-postgres" for a latency fault; proxies: gateway-to-embedder, embedder-to-postgres',
    ]);
  });

  it('suggests proxies for a component target', () => {
    const text = edit(VALID_EXPERIMENT, 'target: embedder-to-postgres', 'target: embedder');
    expect(problemsOf(text)).toEqual([
      'experiment.yaml:26:13 faults[0].target: "embedder" is a component, but a latency fault targets a proxy; proxies of embedder: gateway-to-embedder, embedder-to-postgres',
    ]);
  });

  it('suggests components for a proxy target', () => {
    let text = edit(VALID_EXPERIMENT, '  - kind: latency\n', '  - kind: kill\n');
    text = edit(text, '    params: {latency: 400ms}\n', '');
    expect(problemsOf(text)).toEqual([
      'experiment.yaml:26:13 faults[0].target: "embedder-to-postgres" is a proxy, but a kill fault targets a component, such as embedder or postgres',
    ]);
  });

  it('rejects a fault that outlasts the load', () => {
    const text = edit(VALID_EXPERIMENT, '    duration: 20s\n', '    duration: 40s\n');
    expect(problemsOf(text)).toEqual([
      'experiment.yaml:28:15 faults[0].duration: the fault ends after the load: warmup 5s + baseline 10s + at 5s + duration 40s + hold 10s = 70s, but load.duration is 1m; raise load.duration to at least 70s or move the fault earlier',
    ]);
  });

  it('rejects missing files and unknown load targets', () => {
    let text = edit(VALID_EXPERIMENT, 'data/queries.jsonl', 'data/missing.jsonl');
    text = edit(text, '      target: gateway\n', '      target: api\n');
    const problems = problemsOf(text);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toBe(
      'experiment.yaml:15:15 load.mix[0].target: unknown component "api"; components: postgres, embedder, gateway',
    );
    expect(problems[1]).toMatch(
      /^experiment\.yaml:17:16 load\.mix\[0\]\.dataset: dataset file not found: .*data\/missing\.jsonl; .*data contains queries\.jsonl$/,
    );
  });

  it('requires at least one SLI band with min below max', () => {
    const text = edit(
      edit(VALID_EXPERIMENT, '    error_rate: {max: 0.01}\n', ''),
      '    latency_p95: {max: 800ms}\n',
      '    latency_p95: {min: 2s, max: 800ms}\n',
    );
    expect(problemsOf(text)).toEqual([
      'experiment.yaml:22:18 steadyState.slis.latency_p95: min must not be greater than max',
    ]);
  });

  it('checks abort limits against the SLI unit', () => {
    const text = `${VALID_EXPERIMENT}abort:\n  - {sli: latency_p99, above: 2, for: 5s}\n  - {sli: error_rate, above: 0.5, below: 0.1, for: 5s}\n`;
    expect(problemsOf(text)).toEqual([
      'experiment.yaml:36:31 abort[0].above: latency_p99 is a latency: write the limit with a unit, such as 800ms',
      'experiment.yaml:37:5 abort[1]: give exactly one of `above` or `below`',
    ]);
  });

  it('reports a missing file as a problem', () => {
    expect(() => loadExperiment(join(dir, 'nope.yaml'))).toThrow(/nope\.yaml:1:1 file not found/);
  });

  it('rejects a healing policy that does not exist', () => {
    const text = edit(VALID_EXPERIMENT, '  enabled: true\n', '  enabled: true\n  policy: p.yaml\n');
    expect(problemsOf(text)).toEqual([
      expect.stringMatching(
        /^experiment\.yaml:32:11 healer\.policy: healing policy not found: .*\/p\.yaml$/,
      ),
    ]);
  });
});
