import type { ProbeResult } from '../observe/prober.ts';
import type { Timeline } from '../observe/timeline.ts';
import { breaches } from '../score/bands.ts';
import { type SteadyState, sliSampleSchema } from '../score/record.ts';
import { probeRatio, toSliSample } from './samples.ts';

/**
 * Why the baseline window does not show the steady state, or undefined when it does. Only seconds
 * that lie wholly inside the window count, and at least one must have arrived.
 */
export function steadyStateProblem(
  timeline: Timeline,
  bands: SteadyState,
  window: { baselineStartMs: number; baselineEndMs: number },
): string | undefined {
  const samples = timeline
    .samples(window.baselineStartMs + 1_000, window.baselineEndMs)
    .filter((sample) => !sample.warmup);
  if (samples.length === 0) return 'no SLI sample arrived during the baseline window';

  const probes = timeline.entries<ProbeResult>({ source: 'probe', type: 'readiness' });
  for (const sample of samples) {
    const sli = sliSampleSchema.parse(toSliSample(sample, probeRatio(probes, sample)));
    const found = breaches(sli, bands);
    if (found.length === 0) continue;
    const list = found.map((breach) => `${breach.sli} ${Math.round(breach.value * 1000) / 1000}`);
    return `steady state not met in the baseline window at t=${sample.tMs}ms: ${list.join(', ')} outside the band`;
  }
  return undefined;
}
