import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { boolean, duration, formatDurationMs, parseDurationMs } from '../src/config/fields.ts';
import { ConfigError, parseConfig } from '../src/config/load.ts';

const schema = z.strictObject({
  name: z.string(),
  enabled: boolean(),
  wait: duration(),
  faults: z.array(z.strictObject({ kind: z.enum(['latency', 'kill']), at: duration() })),
});

function problemsOf(text: string): string[] {
  try {
    parseConfig(text, 'x.yaml', schema);
  } catch (error) {
    if (error instanceof ConfigError) return error.message.split('\n');
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('returns the parsed value with durations in milliseconds', () => {
    const value = parseConfig(
      'name: a\nenabled: true\nwait: 1.5s\nfaults: [{kind: kill, at: 2m}]\n',
      'x.yaml',
      schema,
    );
    expect(value).toEqual({
      name: 'a',
      enabled: true,
      wait: 1500,
      faults: [{ kind: 'kill', at: 120_000 }],
    });
  });

  it('reports every problem at once with its position', () => {
    const problems = problemsOf(
      [
        'name: a',
        'enabled: no',
        'wait: 10',
        'faults:',
        '  - kind: drop',
        '    at: 1s',
        '    extra: 1',
      ].join('\n'),
    );
    expect(problems).toEqual([
      'x.yaml:2:10 enabled: "no" is a string in YAML 1.2: write true or false',
      'x.yaml:3:7 wait: a duration needs a unit: write 10ms or 10s',
      'x.yaml:5:11 faults[0].kind: invalid value "drop"; allowed: latency, kill',
      'x.yaml:7:5 faults[0].extra: unknown key "extra"; allowed keys: kind, at',
    ]);
  });

  it('rejects duplicate keys', () => {
    expect(problemsOf('name: a\nname: b\nenabled: true\nwait: 1s\nfaults: []\n')).toEqual([
      'x.yaml:2:1 duplicate key "name": each key may appear once in a mapping',
    ]);
  });

  it('reports duplicate keys together with schema problems', () => {
    expect(problemsOf('name: a\nname: b\nenabled: off\nwait: 1s\nfaults: []\n')).toEqual([
      'x.yaml:2:1 duplicate key "name": each key may appear once in a mapping',
      'x.yaml:3:10 enabled: "off" is a string in YAML 1.2: write true or false',
    ]);
  });

  it('names the type of a missing section', () => {
    const nested = z.strictObject({ name: z.string(), items: z.array(z.string()) });
    expect(() => parseConfig('name: a\n', 'x.yaml', nested)).toThrow(
      'x.yaml:1:1 items: required: a list',
    );
  });

  it('stops at a syntax error before the schema', () => {
    expect(problemsOf('name: [a\n')).toHaveLength(1);
  });

  it('points a missing key at its parent mapping', () => {
    expect(problemsOf('name: a\nenabled: true\nfaults: []\n')).toEqual([
      'x.yaml:1:1 wait: required: a duration such as 500ms or 10s',
    ]);
  });
});

describe('durations', () => {
  it('parses each unit', () => {
    expect([
      parseDurationMs('250ms'),
      parseDurationMs('2s'),
      parseDurationMs('1.5m'),
      parseDurationMs('1h'),
    ]).toEqual([250, 2000, 90_000, 3_600_000]);
  });

  it('round-trips through formatDurationMs', () => {
    for (const ms of [1, 999, 1000, 90_000, 120_000, 3_600_000])
      expect(parseDurationMs(formatDurationMs(ms))).toBe(ms);
  });

  it('rejects a bare number', () => {
    expect(() => parseDurationMs('10')).toThrow(/use a number with a unit/);
  });
});

describe('allowed keys', () => {
  const union = z.strictObject({
    faults: z.array(
      z.discriminatedUnion('kind', [
        z.strictObject({ kind: z.literal('kill'), params: z.strictObject({ signal: z.string() }) }),
        z.strictObject({
          kind: z.literal('latency'),
          params: z.strictObject({ latency: duration() }),
        }),
      ]),
    ),
  });

  it('lists the keys of the union option the value selects', () => {
    expect(() =>
      parseConfig('faults:\n  - kind: latency\n    params: { latnecy: 1s }\n', 'x.yaml', union),
    ).toThrow('x.yaml:3:15 faults[0].params.latnecy: unknown key "latnecy"; allowed keys: latency');
  });
});
