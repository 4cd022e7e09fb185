import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Logger } from '../../../../common/src/log.ts';
import type { CanaryStats } from './canary-stats.ts';
import { repeat } from './loops.ts';

const goldenSchema = z.object({ id: z.string(), text: z.string(), label: z.string() });
export type GoldenExample = z.infer<typeof goldenSchema>;

const classifyAnswerSchema = z.object({
  label: z.string(),
  confidence: z.number(),
  modelVersion: z.string(),
  /** The gateway lists its active degraded modes; a boolean or a single mode name is read too. */
  degraded: z.union([z.boolean(), z.string(), z.array(z.string())]).optional(),
});

/** Reads the golden set: one `{"id","text","label"}` per line; names the line of a bad entry. */
export function loadGoldenSet(file: string): GoldenExample[] {
  const examples: GoldenExample[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, index) => {
      if (line.trim() === '') return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch (error) {
        throw new Error(`${file}:${index + 1}: invalid JSON: ${(error as Error).message}`);
      }
      const result = goldenSchema.safeParse(parsed);
      if (!result.success)
        throw new Error(`${file}:${index + 1}: expected {"id","text","label"} strings`);
      examples.push(result.data);
    });
  if (examples.length === 0) throw new Error(`${file}: the golden set is empty`);
  return examples;
}

export interface CanaryOptions {
  classifyUrl: string;
  examples: GoldenExample[];
  batchSize: number;
  intervalMs: number;
  timeoutMs: number;
  stats: CanaryStats;
  nowMs: () => number;
  onBatch: () => void;
  log: Logger;
}

/**
 * Classifies the golden set through the gateway in small batches, round-robin, and records
 * accuracy, confidence and latency per model version. Failed requests count as canary errors.
 */
export function runCanary(options: CanaryOptions, signal: AbortSignal): Promise<void> {
  let cursor = 0;
  let failuresLogged = 0;
  return repeat(signal, async () => {
    const startedAtMs = options.nowMs();
    const batch = Array.from({ length: options.batchSize }, () => {
      const example = options.examples[cursor % options.examples.length] as GoldenExample;
      cursor++;
      return example;
    });
    const failures = await Promise.all(batch.map((example) => classifyOne(options, example)));
    const failed = failures.filter((message) => message !== undefined);
    if (failed.length > 0 && failuresLogged < 20 && !signal.aborted) {
      failuresLogged++;
      options.log.warn(
        { failed: failed.length, batch: batch.length, err: failed[0] },
        'canary requests failed',
      );
    }
    if (!signal.aborted) options.onBatch();
    return Math.max(0, options.intervalMs - (options.nowMs() - startedAtMs));
  });
}

function isDegraded(degraded: boolean | string | string[] | undefined): boolean {
  if (Array.isArray(degraded)) return degraded.length > 0;
  return degraded !== undefined && degraded !== false && degraded !== '';
}

/** Sends one classification; returns the failure message, or undefined on success. */
async function classifyOne(
  options: CanaryOptions,
  example: GoldenExample,
): Promise<string | undefined> {
  const startedAtMs = options.nowMs();
  try {
    const response = await fetch(options.classifyUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: example.text }),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    if (!response.ok) throw new Error(`status ${response.status}`);
    const answer = classifyAnswerSchema.parse(await response.json());
    options.stats.record({
      atMs: options.nowMs(),
      modelVersion: answer.modelVersion,
      correct: answer.label === example.label,
      confidence: answer.confidence,
      latencyMs: options.nowMs() - startedAtMs,
      degraded: isDegraded(answer.degraded),
    });
    return undefined;
  } catch (error) {
    options.stats.recordOutcome(options.nowMs(), false, options.nowMs() - startedAtMs);
    return (error as Error).message.slice(0, 300);
  }
}
