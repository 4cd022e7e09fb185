import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../common/src/config/load.ts';
import { loadSpecSchema } from '../src/load/spec.ts';

const valid = `
rate: 20
duration: 90s
warmup: 10s
timeout: 2s
mix:
  - name: classify
    weight: 8
    target: gateway
    method: POST
    path: /v1/classify
    dataset: ../targets/ai-stack/data/generated/stream.jsonl
    body: { text: '{{text}}' }
    expect: { status: [200], field: label, equals: '{{label}}' }
    acknowledges: id
  - name: health
    weight: 1
    target: gateway
    path: /healthz
`;

function problemsOf(text: string): string[] {
  try {
    parseConfig(text, 'load.yaml', loadSpecSchema);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
  return [];
}

describe('load spec', () => {
  it('resolves durations to milliseconds and fills defaults', () => {
    const spec = parseConfig(valid, 'load.yaml', loadSpecSchema);
    expect(spec.rate).toBe(20);
    expect(spec.duration).toBe(90_000);
    expect(spec.warmup).toBe(10_000);
    expect(spec.timeout).toBe(2_000);
    expect(spec.maxInFlight).toBe(1_000);
    expect(spec.mix[0]?.body).toEqual({ text: '{{text}}' });
    expect(spec.mix[0]?.expect).toEqual({ status: [200], field: 'label', equals: '{{label}}' });
    expect(spec.mix[1]?.method).toBe('GET');
  });

  it('rejects an unknown key inside a mix entry', () => {
    const problems = problemsOf(valid.replace('weight: 1\n', 'weight: 1\n    wieght: 2\n'));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^mix\[1\]\.wieght: unknown key "wieght"; allowed keys: name, weight/,
    );
  });

  it('rejects a weight of zero or less', () => {
    expect(problemsOf(valid.replace('weight: 8', 'weight: 0'))).toEqual([
      'mix[0].weight: weight must be greater than 0',
    ]);
    expect(problemsOf(valid.replace('weight: 8', 'weight: -1'))).toEqual([
      'mix[0].weight: weight must be greater than 0',
    ]);
  });

  it('rejects an empty mix', () => {
    expect(problemsOf('rate: 5\nduration: 10s\nmix: []\n')).toEqual([
      'mix: the mix needs at least one request',
    ]);
  });

  it('rejects a rate of zero and a bare-number duration', () => {
    const problems = problemsOf(valid.replace('rate: 20', 'rate: 0').replace('90s', '90'));
    expect(problems).toContain('rate: rate must be greater than 0');
    expect(problems).toContain('duration: a duration needs a unit: write 90ms or 90s');
  });

  it('rejects warmup as long as the duration', () => {
    expect(problemsOf(valid.replace('warmup: 10s', 'warmup: 90s'))).toEqual([
      'warmup: warmup must be shorter than duration, because warmup is part of it',
    ]);
  });

  it('rejects placeholders without a dataset', () => {
    const text =
      'rate: 5\nduration: 10s\nmix:\n  - {name: a, weight: 1, target: g, path: "/x/{{id}}"}\n';
    expect(problemsOf(text)).toEqual([
      'mix[0].dataset: {{field}} placeholders take fields of a record, so the request needs a `dataset`',
    ]);
  });

  it('rejects a half-written expectation', () => {
    const problems = problemsOf(valid.replace(", equals: '{{label}}'", ''));
    expect(problems).toEqual([
      'mix[0].expect.equals: `field` and `equals` go together: name the response field and its expected value',
    ]);
  });

  it('rejects duplicate request names', () => {
    const problems = problemsOf(valid.replace('name: health', 'name: classify'));
    expect(problems).toEqual([
      'mix[1].name: duplicate request name "classify": each entry of the mix needs its own',
    ]);
  });
});
