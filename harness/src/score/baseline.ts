import { isAsExpected } from './build.ts';
import type { BaselineComparison, Regression, Scorecard, Statistic } from './scorecard.ts';

/**
 * Compares a scorecard with an earlier one, fault by fault, on TTD and TTR at p50 and p95. A time
 * regresses when it grew by more than both tolerances, so small absolute changes on fast faults and
 * small relative changes on slow ones are both ignored. A fault that is no longer detected or
 * recovered regresses too.
 */

export interface BaselineOptions {
  /** Allowed relative growth, such as 0.2 for 20%. */
  relative?: number;
  /** Allowed absolute growth in ms. */
  absoluteMs?: number;
  failOnRegression?: boolean;
  /** Path of the baseline scorecard, shown in the report. */
  file: string;
}

const METRICS = ['ttdMs', 'ttrMs'] as const;
const QUANTILES = ['p50', 'p95'] as const;

function compareOne(
  fault: string,
  metric: (typeof METRICS)[number],
  quantile: (typeof QUANTILES)[number],
  baseline: Statistic | null,
  current: Statistic | null,
  tolerance: { relative: number; absoluteMs: number },
): Regression | undefined {
  if (baseline === null) return undefined;
  const baselineMs = baseline[quantile];
  const label = `${fault} ${metric === 'ttdMs' ? 'TTD' : 'TTR'} ${quantile}`;
  if (current === null) {
    const phase = metric === 'ttdMs' ? 'detected' : 'recovered';
    const message = `${label}: was ${baselineMs} ms, now never ${phase}`;
    return { fault, metric, quantile, baselineMs, currentMs: null, message };
  }

  const currentMs = current[quantile];
  const growthMs = currentMs - baselineMs;
  if (growthMs <= tolerance.absoluteMs || growthMs <= baselineMs * tolerance.relative) {
    return undefined;
  }
  const percent = baselineMs === 0 ? 'from zero' : `+${Math.round((growthMs / baselineMs) * 100)}%`;
  const message = `${label}: ${baselineMs} ms → ${currentMs} ms (${percent}, +${growthMs} ms)`;
  return { fault, metric, quantile, baselineMs, currentMs, message };
}

export function compareWithBaseline(
  current: Scorecard,
  baseline: Scorecard,
  options: BaselineOptions,
): BaselineComparison {
  const tolerance = { relative: options.relative ?? 0.2, absoluteMs: options.absoluteMs ?? 250 };
  const regressions: Regression[] = [];

  for (const old of baseline.statistics.faults) {
    const now = current.statistics.faults.find((fault) => fault.name === old.name);
    if (now === undefined) continue;
    for (const metric of METRICS) {
      for (const quantile of QUANTILES) {
        const found = compareOne(old.name, metric, quantile, old[metric], now[metric], tolerance);
        if (found) regressions.push(found);
      }
    }
  }
  return {
    file: options.file,
    baselineRunId: baseline.runId,
    tolerance,
    failOnRegression: options.failOnRegression ?? false,
    regressions,
  };
}

/**
 * Returns the scorecard with the comparison attached. With `failOnRegression`, a regression turns a
 * passed scorecard into a failed one and adds a reason for each regression.
 */
export function applyBaseline(
  current: Scorecard,
  baseline: Scorecard,
  options: BaselineOptions,
): Scorecard {
  const comparison = compareWithBaseline(current, baseline, options);
  const fails = comparison.failOnRegression && comparison.regressions.length > 0;
  if (!fails) return { ...current, baseline: comparison };

  const reasons = comparison.regressions.map((regression) => `regression: ${regression.message}`);
  const status = current.status === 'passed' ? 'failed' : current.status;
  return {
    ...current,
    baseline: comparison,
    status,
    statusReasons: [...current.statusReasons, ...reasons],
    asExpected: isAsExpected(current.experiment.expectedOutcome, status),
  };
}
