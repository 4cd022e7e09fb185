import { formatDurationMs } from '../../../common/src/config/fields.ts';
import type { AbortCondition } from '../experiment/types.ts';
import type { LoadSample } from '../load/series.ts';
import { sliValue } from '../score/bands.ts';
import { sliSampleSchema } from '../score/record.ts';
import { toSliSample } from './samples.ts';

/**
 * Watches the SLI seconds for the experiment's abort conditions. A condition trips when its SLI
 * stays beyond the limit for `forMs` without a break; a second that did not measure the SLI breaks
 * nothing and proves nothing, so it neither starts nor resets the streak.
 */
export class AbortMonitor {
  private readonly beyondSinceMs = new Map<AbortCondition, number>();

  constructor(private readonly conditions: AbortCondition[]) {}

  /** Returns why the run must abort, or undefined. */
  check(sample: LoadSample, probe: number | null): string | undefined {
    if (sample.warmup) return undefined;
    const sli = sliSampleSchema.parse(toSliSample(sample, probe));
    for (const condition of this.conditions) {
      const value = sliValue(sli, condition.sli);
      if (value === null) continue;
      const beyond =
        (condition.above !== undefined && value > condition.above) ||
        (condition.below !== undefined && value < condition.below);
      if (!beyond) {
        this.beyondSinceMs.delete(condition);
        continue;
      }
      const sinceMs = this.beyondSinceMs.get(condition) ?? sample.tMs - sample.intervalMs;
      this.beyondSinceMs.set(condition, sinceMs);
      if (sample.tMs - sinceMs >= condition.forMs) return describe(condition, value);
    }
    return undefined;
  }
}

function describe(condition: AbortCondition, value: number): string {
  const latency = condition.sli.startsWith('latency_');
  const show = (n: number) =>
    latency ? formatDurationMs(Math.round(n)) : String(Math.round(n * 1000) / 1000);
  const limit =
    condition.above !== undefined
      ? `above ${show(condition.above)}`
      : `below ${show(condition.below ?? 0)}`;
  return `abort condition met: ${condition.sli} ${limit} for ${formatDurationMs(condition.forMs)} (last value ${show(value)})`;
}
