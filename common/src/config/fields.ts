import { z } from 'zod';

const DURATION_PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const YAML11_BOOLEANS = /^(y|yes|n|no|on|off|true|false)$/i;

/** Parses a duration such as `500ms`, `10s`, `2m` or `1h` into milliseconds. */
export function parseDurationMs(text: string): number {
  const match = DURATION_PATTERN.exec(text.trim());
  if (!match)
    throw new Error(`invalid duration "${text}": use a number with a unit, such as 500ms, 10s, 2m`);
  return Math.round(Number(match[1]) * (UNIT_MS[match[2] as string] as number));
}

/** Formats milliseconds as the shortest duration string that `parseDurationMs` reads back. */
export function formatDurationMs(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1_000 === 0 && ms > 0) return `${ms / 1_000}s`;
  return `${ms}ms`;
}

/**
 * Returns a schema for a duration written with a unit (`500ms`, `10s`, `2m`, `1h`), read as
 * milliseconds. A bare number is an error because `10` could mean seconds or milliseconds.
 */
export function duration() {
  return z
    .string({
      error: (issue) =>
        typeof issue.input === 'number'
          ? `a duration needs a unit: write ${issue.input}ms or ${issue.input}s`
          : issue.input === undefined
            ? 'required: a duration such as 500ms or 10s'
            : 'expected a duration such as 500ms, 10s or 2m',
    })
    .regex(DURATION_PATTERN, {
      error: 'expected a duration such as 500ms, 10s or 2m (units: ms, s, m, h)',
    })
    .transform(parseDurationMs);
}

/**
 * Returns a schema for a YAML 1.2 boolean. The YAML 1.1 words `yes`, `no`, `on` and `off` are
 * errors, not booleans.
 */
export function boolean() {
  return z.boolean({
    error: (issue) =>
      typeof issue.input === 'string' && YAML11_BOOLEANS.test(issue.input)
        ? `"${issue.input}" is a string in YAML 1.2: write true or false`
        : issue.input === undefined
          ? 'required: true or false'
          : 'expected true or false',
  });
}

/** Returns a schema for a ratio between 0 and 1, such as an error rate or a toxicity. */
export function ratio() {
  return z.number({ error: 'expected a number between 0 and 1' }).min(0).max(1);
}
