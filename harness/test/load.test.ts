import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { classifyError, classifyStatus } from '../src/load/classify.ts';
import { loadDataset } from '../src/load/dataset.ts';
import { scheduledAtMs } from '../src/load/generator.ts';
import { LatencyHistogram, percentile } from '../src/load/percentile.ts';
import { RequestPlanner } from '../src/load/plan.ts';
import { pickWeighted, seededRandom } from '../src/load/random.ts';
import { type LoadSample, SliSeries } from '../src/load/series.ts';
import { type LoadSpec, loadSpecSchema } from '../src/load/spec.ts';
import { fillTemplate, templateFields } from '../src/load/template.ts';

describe('percentile', () => {
  const values = Array.from({ length: 100 }, (_, index) => index + 1);

  it('uses the nearest rank', () => {
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([1, 2, 3], 50)).toBe(2);
  });

  it('is null for no values', () => {
    expect(percentile([], 50)).toBeNull();
  });

  it('histogram stays within 1 % of exact', () => {
    const histogram = new LatencyHistogram();
    for (const value of values) histogram.record(value * 10);
    for (const percent of [50, 95, 99]) {
      const exact = percentile(
        values.map((value) => value * 10),
        percent,
      ) as number;
      const estimate = histogram.percentile(percent) as number;
      expect(estimate).toBeGreaterThanOrEqual(exact);
      expect(estimate).toBeLessThanOrEqual(exact * 1.01);
    }
    expect(histogram.percentile(100)).toBe(1_000);
  });
});

describe('schedule', () => {
  it('sends request k at start + k / rate', () => {
    expect(scheduledAtMs(1_000, 0, 20)).toBe(1_000);
    expect(scheduledAtMs(1_000, 1, 20)).toBe(1_050);
    expect(scheduledAtMs(1_000, 40, 20)).toBe(3_000);
    expect(scheduledAtMs(0, 3, 3)).toBe(1_000);
    expect(scheduledAtMs(0, 1, 0.5)).toBe(2_000);
  });
});

describe('seeded random', () => {
  it('reproduces a sequence from its seed', () => {
    const first = seededRandom(42);
    const second = seededRandom(42);
    const other = seededRandom(43);
    const a = Array.from({ length: 5 }, first);
    expect(Array.from({ length: 5 }, second)).toEqual(a);
    expect(Array.from({ length: 5 }, other)).not.toEqual(a);
    for (const value of a) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
  });

  it('picks by weight', () => {
    const random = seededRandom(7);
    const counts = [0, 0, 0];
    for (let index = 0; index < 10_000; index++) {
      const picked = pickWeighted([8, 1, 1], random);
      counts[picked] = (counts[picked] ?? 0) + 1;
    }
    expect(counts[0]).toBeGreaterThan(7_700);
    expect(counts[0]).toBeLessThan(8_300);
    expect(counts[1]).toBeGreaterThan(800);
    expect(counts[2]).toBeGreaterThan(800);
  });
});

function spec(mix: unknown[]): LoadSpec {
  return loadSpecSchema.parse({ rate: 10, duration: '10s', mix });
}

const records = [
  { id: 'a1', text: 'hello', label: 'ham', n: 3 },
  { id: 'b2', text: 'buy now', label: 'spam', n: 5 },
  { id: 'c3', text: 'a/b c', label: 'ham', n: 8 },
];

describe('request planner', () => {
  const loadSpec = spec([
    {
      name: 'classify',
      weight: 3,
      target: 'gateway',
      method: 'POST',
      path: '/v1/classify',
      dataset: 'stream.jsonl',
      body: { text: '{{text}}', size: '{{n}}' },
      expect: { field: 'label', equals: '{{label}}' },
      acknowledges: 'id',
    },
    { name: 'doc', weight: 1, target: 'gateway', path: '/v1/docs/{{text}}', dataset: 'd.jsonl' },
  ]);
  const datasets = new Map([
    ['classify', records],
    ['doc', records],
  ]);

  it('reproduces the request sequence from a seed', () => {
    const sequence = (seed: number) => {
      const planner = new RequestPlanner(loadSpec, datasets, seed);
      return Array.from({ length: 50 }, () => planner.next());
    };
    expect(sequence(1)).toEqual(sequence(1));
    expect(sequence(1)).not.toEqual(sequence(2));
    const names = new Set(sequence(1).map((request) => request.name));
    expect(names).toEqual(new Set(['classify', 'doc']));
  });

  it('fills body, path, answer and acknowledged id from the record', () => {
    const planner = new RequestPlanner(loadSpec, datasets, 3);
    const requests = Array.from({ length: 40 }, () => planner.next());
    const classify = requests.find((request) => request.name === 'classify');
    const doc = requests.find((request) => request.name === 'doc');
    expect(classify).toBeDefined();
    const record = records.find((item) => item.id === classify?.acknowledgedId);
    expect(record).toBeDefined();
    expect(JSON.parse(classify?.body as string)).toEqual({ text: record?.text, size: record?.n });
    expect(classify?.headers['content-type']).toBe('application/json');
    expect(classify?.answer).toEqual({ field: 'label', expected: record?.label });
    expect(doc?.path).toMatch(/^\/v1\/docs\/(hello|buy%20now|a%2Fb%20c)$/);
    expect(doc?.body).toBeUndefined();
  });

  it('rejects a record that lacks a template field', () => {
    const broken = new Map([
      ['classify', [...records, { id: 'x', text: 'no label' }]],
      ['doc', records],
    ]);
    expect(() => new RequestPlanner(loadSpec, broken, 1)).toThrow(
      'mix entry "classify": record 4 of stream.jsonl has no field "n"',
    );
  });
});

describe('template', () => {
  const record = { text: 'hi there', count: 4, nested: { label: 'ham' } };

  it('keeps the type of a whole-string placeholder', () => {
    expect(fillTemplate('{{count}}', record)).toBe(4);
    expect(fillTemplate({ a: ['{{text}}', '{{ nested.label }}'] }, record)).toEqual({
      a: ['hi there', 'ham'],
    });
  });

  it('renders placeholders inside text as text', () => {
    expect(fillTemplate('n={{count}}, t={{text}}', record)).toBe('n=4, t=hi there');
    expect(fillTemplate('/x/{{text}}', record, encodeURIComponent)).toBe('/x/hi%20there');
    expect(fillTemplate(12, record)).toBe(12);
  });

  it('lists the fields a template uses', () => {
    expect(templateFields({ a: '{{x}}-{{y.z}}', b: ['{{x}}'], c: 3 })).toEqual(['x', 'y.z']);
  });
});

describe('error classification', () => {
  it('maps socket error codes to kinds', () => {
    const cases: Array<[unknown, string]> = [
      [Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }), 'refused'],
      [Object.assign(new Error('read'), { code: 'ECONNRESET' }), 'reset'],
      [Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }), 'reset'],
      [new Error('fetch failed', { cause: { code: 'ECONNREFUSED' } }), 'refused'],
      [Object.assign(new Error('headers'), { code: 'UND_ERR_HEADERS_TIMEOUT' }), 'timeout'],
      [new Error('something else'), 'other'],
      ['not an error', 'other'],
    ];
    for (const [error, kind] of cases) expect(classifyError(error, false)).toBe(kind);
  });

  it('counts an abort by the timer as a timeout', () => {
    expect(
      classifyError(Object.assign(new Error('aborted'), { code: 'UND_ERR_ABORTED' }), true),
    ).toBe('timeout');
  });

  it('maps statuses to kinds', () => {
    expect(classifyStatus(200)).toBeUndefined();
    expect(classifyStatus(204)).toBeUndefined();
    expect(classifyStatus(503)).toBe('http_5xx');
    expect(classifyStatus(429)).toBe('http_4xx');
    expect(classifyStatus(302)).toBe('wrong_answer');
    expect(classifyStatus(200, [201])).toBe('wrong_answer');
    expect(classifyStatus(404, [200, 404])).toBeUndefined();
  });
});

describe('SLI series', () => {
  it('emits seconds in order once their requests end', () => {
    const emitted: LoadSample[] = [];
    const series = new SliSeries({
      startMs: 500,
      warmupEndMs: 1_500,
      onSample: (s) => emitted.push(s),
    });
    const first = series.schedule(600);
    const second = series.schedule(1_200);
    series.complete(second, { kind: 'success', latencyMs: 10, checked: false });
    series.closeBefore(2_100);
    expect(emitted).toHaveLength(0);

    series.complete(first, { kind: 'timeout', latencyMs: 2_000, checked: false });
    expect(emitted.map((sample) => sample.tMs)).toEqual([1_000, 2_000]);
    expect(emitted[0]?.warmup).toBe(true);
    expect(emitted[1]?.warmup).toBe(false);
    expect(emitted[0]?.errorsByKind.timeout).toBe(1);
    expect(emitted[0]?.errorRate).toBe(1);
    expect(emitted[0]?.latencyP99Ms).toBe(2_000);
    expect(emitted[1]?.throughputRps).toBe(1);
  });

  it('emits empty seconds with null rates', () => {
    const series = new SliSeries({ startMs: 0, warmupEndMs: 0 });
    const late = series.schedule(2_500);
    series.complete(late, { kind: 'wrong_answer', latencyMs: 5, checked: true });
    series.finish(2_999);
    expect(series.samples.map((sample) => sample.requests)).toEqual([0, 0, 1]);
    expect(series.samples[0]?.errorRate).toBeNull();
    expect(series.samples[0]?.latencyP50Ms).toBeNull();
    expect(series.samples[2]?.wrongAnswers).toBe(1);
    expect(series.samples[2]?.answersChecked).toBe(1);
    expect(series.totalsSnapshot().errorsByKind.wrong_answer).toBe(1);
  });
});

describe('dataset', () => {
  const folder = mkdtempSync(join(tmpdir(), 'rebound-dataset-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('reads records relative to the experiment folder', () => {
    writeFileSync(join(folder, 'stream.jsonl'), '{"id":"a","text":"x"}\n\n{"id":"b","text":"y"}\n');
    expect(loadDataset('stream.jsonl', folder)).toEqual([
      { id: 'a', text: 'x' },
      { id: 'b', text: 'y' },
    ]);
    const spec = loadSpecSchema.parse({
      rate: 1,
      duration: '1s',
      mix: [{ name: 'a', weight: 1, target: 'g', path: '/{{id}}', dataset: 'stream.jsonl' }],
    });
    expect(RequestPlanner.fromFiles(spec, folder, 1).next().path).toMatch(/^\/(a|b)$/);
  });

  it('names the file and line of a bad record', () => {
    writeFileSync(join(folder, 'bad.jsonl'), '{"id":"a"}\n[1, 2]\n');
    expect(() => loadDataset('bad.jsonl', folder)).toThrow(
      `${join(folder, 'bad.jsonl')}:2: expected a JSON object per line`,
    );
    expect(() => loadDataset('missing.jsonl', folder)).toThrow('missing.jsonl: file not found');
    writeFileSync(join(folder, 'empty.jsonl'), '\n');
    expect(() => loadDataset('empty.jsonl', folder)).toThrow('has no records');
  });
});
