import type { Band, SliName, SliSample, SteadyState } from './record.ts';

/**
 * Steady-state checks on SLI samples. A value that a sample did not measure (`null`) is neither in
 * nor out of its band, so a second without probes never counts as an outage. A sample in which no
 * banded SLI was measured carries no evidence of recovery either.
 */

/** Returns the value of one SLI in a sample, in the unit its band uses, or null if not measured. */
export function sliValue(sample: SliSample, sli: SliName): number | null {
  switch (sli) {
    case 'error_rate':
      return sample.errorRate;
    case 'latency_p50':
      return sample.latencyP50Ms;
    case 'latency_p95':
      return sample.latencyP95Ms;
    case 'latency_p99':
      return sample.latencyP99Ms;
    case 'throughput':
      return sample.throughputRps;
    case 'probe':
      return sample.probe;
  }
}

function isInside(value: number, band: Band): boolean {
  if (band.min !== undefined && value < band.min) return false;
  if (band.max !== undefined && value > band.max) return false;
  return true;
}

function bandedSlis(steadyState: SteadyState): [SliName, Band][] {
  return Object.entries(steadyState).filter((entry): entry is [SliName, Band] => !!entry[1]);
}

/** SLIs of the sample that are outside their bands, with the value observed. */
export function breaches(
  sample: SliSample,
  steadyState: SteadyState,
): { sli: SliName; value: number; band: Band }[] {
  const found: { sli: SliName; value: number; band: Band }[] = [];
  for (const [sli, band] of bandedSlis(steadyState)) {
    const value = sliValue(sample, sli);
    if (value !== null && !isInside(value, band)) found.push({ sli, value, band });
  }
  return found;
}

export function isOutOfBand(sample: SliSample, steadyState: SteadyState): boolean {
  return breaches(sample, steadyState).length > 0;
}

/** Checks whether the sample shows steady state: every measured SLI in its band and at least one measured. */
export function isInBand(sample: SliSample, steadyState: SteadyState): boolean {
  const slis = bandedSlis(steadyState);
  if (slis.length === 0) return true;
  const measured = slis.some(([sli]) => sliValue(sample, sli) !== null);
  return measured && !isOutOfBand(sample, steadyState);
}

/** Start of the interval a sample covers. */
export function sampleStartMs(sample: SliSample): number {
  return sample.tMs - sample.intervalMs;
}

/**
 * Finds the time from which every SLI stays in its band for `holdWindowMs`, searching samples that end
 * after `fromMs`. The time returned is the start of the first sample of the in-band run, so it is
 * within one sampling interval of the true recovery. Returns undefined when no such run exists, or
 * when the samples end before a candidate's hold window does.
 */
export function findRecoveryMs(
  samples: SliSample[],
  steadyState: SteadyState,
  fromMs: number,
  holdWindowMs: number,
): number | undefined {
  const candidates = samples.filter((sample) => sample.tMs > fromMs);
  let runStart: SliSample | undefined;
  let previous: SliSample | undefined;

  for (const sample of candidates) {
    // A gap in the samples is missing evidence, so an in-band run cannot span it.
    const gap =
      previous !== undefined && sampleStartMs(sample) - previous.tMs > sample.intervalMs / 2;
    previous = sample;
    if (gap) runStart = undefined;
    if (!isInBand(sample, steadyState)) {
      runStart = undefined;
      continue;
    }
    runStart ??= sample;
    const startMs = Math.max(fromMs, sampleStartMs(runStart));
    if (sample.tMs - startMs >= holdWindowMs) return startMs;
  }
  return undefined;
}
