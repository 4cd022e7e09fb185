import { accuracyOf, type CanaryStats } from '../telemetry/canary-stats.ts';
import { ksPValue, ksStatistic, populationStabilityIndex } from './stats.ts';
import type { Verdict } from './verdict.ts';

/**
 * Quality detectors over the canary: they compare the model version now serving against the
 * baseline version. They return no verdict until both versions have enough samples, and never
 * fire while the baseline version itself is serving.
 */
function comparable(stats: CanaryStats, minSamples: number) {
  const baseline = stats.results(stats.baselineVersion);
  const current = stats.results(stats.currentVersion);
  if (stats.currentVersion === stats.baselineVersion) return { sameVersion: true as const };
  if (baseline.length < minSamples || current.length < minSamples) return undefined;
  return { sameVersion: false as const, baseline, current };
}

export function evaluateAccuracy(
  stats: CanaryStats,
  drop: number,
  minSamples: number,
): Verdict | undefined {
  const pair = comparable(stats, minSamples);
  const versions = { baselineVersion: stats.baselineVersion, modelVersion: stats.currentVersion };
  if (pair === undefined) return undefined;
  if (pair.sameVersion) return { firing: false, evidence: versions };
  const baselineAccuracy = accuracyOf(pair.baseline);
  const accuracy = accuracyOf(pair.current);
  return {
    firing: accuracy < baselineAccuracy - drop,
    evidence: { ...versions, accuracy, baselineAccuracy, drop, samples: pair.current.length },
  };
}

export interface DriftOptions {
  psi: number;
  ksPValue: number;
  bins: number;
  minSamples: number;
}

/** Fires when the confidence distribution shifted by PSI or by the two-sample KS test. */
export function evaluateDrift(stats: CanaryStats, options: DriftOptions): Verdict | undefined {
  const pair = comparable(stats, options.minSamples);
  const versions = { baselineVersion: stats.baselineVersion, modelVersion: stats.currentVersion };
  if (pair === undefined) return undefined;
  if (pair.sameVersion) return { firing: false, evidence: versions };
  const expected = pair.baseline.map((result) => result.confidence);
  const actual = pair.current.map((result) => result.confidence);
  const psi = populationStabilityIndex(expected, actual, options.bins);
  const d = ksStatistic(expected, actual);
  const pValue = ksPValue(d, expected.length, actual.length);
  return {
    firing: psi > options.psi || pValue < options.ksPValue,
    evidence: {
      ...versions,
      psi,
      psiThreshold: options.psi,
      ksD: d,
      ksPValue: pValue,
      samples: actual.length,
    },
  };
}
