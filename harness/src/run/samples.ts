import type { LoadSample } from '../load/series.ts';
import type { ProbeResult } from '../observe/prober.ts';
import type { Timeline } from '../observe/timeline.ts';
import type { SliSampleInput } from '../score/record.ts';

/**
 * Turns the load generator's seconds into the scorer's SLI samples, adding the ratio of readiness
 * probes that succeeded in each second. Warmup seconds are left out: they are not scored.
 */
export function sliSamples(timeline: Timeline): SliSampleInput[] {
  const probes = timeline.entries<ProbeResult>({ source: 'probe', type: 'readiness' });
  return timeline
    .samples()
    .filter((sample) => !sample.warmup)
    .map((sample) => toSliSample(sample, probeRatio(probes, sample)));
}

/** Ratio of readiness probes that succeeded in the sample's second, or null when none ran. */
export function probeRatio(
  probes: { tMs: number; data: ProbeResult }[],
  sample: Pick<LoadSample, 'tMs' | 'intervalMs'>,
): number | null {
  const fromMs = sample.tMs - sample.intervalMs;
  const inSecond = probes.filter((probe) => probe.tMs > fromMs && probe.tMs <= sample.tMs);
  if (inSecond.length === 0) return null;
  return inSecond.filter((probe) => probe.data.ok).length / inSecond.length;
}

export function toSliSample(sample: LoadSample, probe: number | null): SliSampleInput {
  return {
    tMs: sample.tMs,
    intervalMs: sample.intervalMs,
    requests: sample.requests,
    successes: sample.successes,
    errorsByKind: Object.fromEntries(
      Object.entries(sample.errorsByKind).filter(([, count]) => count > 0),
    ),
    errorRate: sample.errorRate,
    latencyP50Ms: sample.latencyP50Ms,
    latencyP95Ms: sample.latencyP95Ms,
    latencyP99Ms: sample.latencyP99Ms,
    throughputRps: sample.throughputRps,
    probe,
    answersChecked: sample.answersChecked,
    wrongAnswers: sample.wrongAnswers,
  };
}
