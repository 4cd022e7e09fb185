import { describe, expect, it } from 'vitest';
import { applyBaseline, compareWithBaseline } from '../src/score/baseline.ts';
import type { Scorecard, Statistic } from '../src/score/scorecard.ts';

/** Builds a scorecard reduced to what the baseline comparison reads: one fault's TTD and TTR. */
function scorecard(ttd: [number, number] | null, ttr: [number, number] | null): Scorecard {
  const statistic = (pair: [number, number] | null): Statistic | null =>
    pair === null
      ? null
      : {
          n: 5,
          p50: pair[0],
          p95: pair[1],
          min: pair[0],
          max: pair[1],
          ci95: { low: pair[0], high: pair[1], resamples: 2_000 },
        };
  return {
    runId: 'run',
    status: 'passed',
    statusReasons: [],
    asExpected: true,
    experiment: { expectedOutcome: 'pass' },
    statistics: {
      faults: [
        {
          name: 'kill-model',
          trials: 5,
          landed: 5,
          detected: ttd ? 5 : 0,
          recovered: ttr ? 5 : 0,
          selfHealed: 5,
          ttdMs: statistic(ttd),
          ttaMs: null,
          ttmMs: null,
          ttrMs: statistic(ttr),
        },
      ],
    },
  } as unknown as Scorecard;
}

const options = { file: 'old/scorecard.json', relative: 0.2, absoluteMs: 250 };

describe('baseline comparison', () => {
  it('flags growth beyond both tolerances', () => {
    const old = scorecard([1_000, 1_500], [4_000, 5_000]);
    const now = scorecard([1_400, 1_600], [4_000, 5_000]);
    const { regressions } = compareWithBaseline(now, old, options);

    expect(regressions).toHaveLength(1);
    expect(regressions[0]?.metric).toBe('ttdMs');
    expect(regressions[0]?.quantile).toBe('p50');
    expect(regressions[0]?.message).toBe('kill-model TTD p50: 1000 ms → 1400 ms (+40%, +400 ms)');
  });

  it('ignores growth within the absolute tolerance', () => {
    // +200 ms is +100% of 200 ms, but under 250 ms.
    const { regressions } = compareWithBaseline(
      scorecard([400, 400], [4_000, 5_000]),
      scorecard([200, 200], [4_000, 5_000]),
      options,
    );
    expect(regressions).toEqual([]);
  });

  it('ignores growth within the relative tolerance', () => {
    // +900 ms is over 250 ms, but only +18% of 5,000 ms.
    const { regressions } = compareWithBaseline(
      scorecard([1_000, 1_000], [5_000, 5_900]),
      scorecard([1_000, 1_000], [5_000, 5_000]),
      options,
    );
    expect(regressions).toEqual([]);
  });

  it('flags a fault that is no longer recovered', () => {
    const { regressions } = compareWithBaseline(
      scorecard([1_000, 1_000], null),
      scorecard([1_000, 1_000], [5_000, 6_000]),
      options,
    );
    expect(regressions.map((regression) => regression.message)).toEqual([
      'kill-model TTR p50: was 5000 ms, now never recovered',
      'kill-model TTR p95: was 6000 ms, now never recovered',
    ]);
  });

  it('marks regressions without failing by default', () => {
    const result = applyBaseline(
      scorecard([2_000, 2_000], null),
      scorecard([1_000, 1_000], null),
      options,
    );

    expect(result.baseline?.regressions).toHaveLength(2);
    expect(result.status).toBe('passed');
  });

  it('fails a passed scorecard when asked to', () => {
    const result = applyBaseline(scorecard([2_000, 2_000], null), scorecard([1_000, 1_000], null), {
      ...options,
      failOnRegression: true,
    });

    expect(result.status).toBe('failed');
    expect(result.asExpected).toBe(false);
    expect(result.statusReasons[0]).toBe(
      'regression: kill-model TTD p50: 1000 ms → 2000 ms (+100%, +1000 ms)',
    );
  });
});
