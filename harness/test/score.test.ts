import { describe, expect, it } from 'vitest';
import { buildScorecard } from '../src/score/build.ts';
import { scoreTrial } from '../src/score/trial.ts';
import {
  event,
  failingSample,
  healthySample,
  killModel,
  outageUntil,
  record,
  samples,
} from './score-timeline.ts';

const verdict = (result: ReturnType<typeof scoreTrial>, name: string) =>
  result.expectations.find((entry) => entry.name === name);

describe('phase times of one fault', () => {
  it('scores TTD from the first explained detection', () => {
    const result = scoreTrial(
      record({
        samples: outageUntil(15_500),
        healerEvents: [event('detected', 13_200, 'model')],
      }),
    );
    const fault = result.faults[0];

    expect(fault?.tInjectMs).toBe(12_000);
    expect(fault?.tDetectMs).toBe(13_200);
    expect(fault?.ttdMs).toBe(1_200);
    expect(fault?.detectedBy?.service).toBe('model');
  });

  it('places impact within one sampling interval of the inject', () => {
    const result = scoreTrial(record({ samples: outageUntil(15_500) }));
    const fault = result.faults[0];

    expect(fault?.landed).toBe(true);
    expect(fault?.landedBy).toBe('sli');
    expect(fault?.tImpactMs).toBeGreaterThanOrEqual(12_000);
    expect(fault?.tImpactMs).toBeLessThanOrEqual(13_000);
    expect(fault?.impactSlis).toEqual([{ sli: 'error_rate', value: 0.5 }]);
  });

  it('scores recovery within one interval of the real end of impact', () => {
    const result = scoreTrial(record({ samples: outageUntil(15_500) }));
    const fault = result.faults[0];

    // Errors stop at 15.5 s; the sample covering (15 s, 16 s] still has errors.
    expect(fault?.tRecoverMs).toBe(16_000);
    expect(Math.abs((fault?.tRecoverMs ?? 0) - 15_500)).toBeLessThanOrEqual(1_000);
    expect(fault?.ttrMs).toBe(4_000);
  });

  it('restarts the hold window after a relapse', () => {
    const bent = samples((tMs) =>
      (tMs > 12_000 && tMs <= 16_000) || tMs === 18_000 ? failingSample(tMs) : undefined,
    );
    const result = scoreTrial(record({ samples: bent }));

    // In band at 17 s, out again at 18 s, so recovery starts with the sample after the relapse.
    expect(result.faults[0]?.tRecoverMs).toBe(18_000);
  });

  it('finds no recovery when samples end inside the hold window', () => {
    const bent = samples((tMs) => (tMs > 12_000 && tMs <= 43_000 ? failingSample(tMs) : undefined));
    const result = scoreTrial(record({ samples: bent }));

    expect(result.faults[0]?.tRecoverMs).toBeUndefined();
    expect(verdict(result, 'recoverWithin')?.status).toBe('failed');
  });

  it('counts a recovery before the revert as self-healed', () => {
    const result = scoreTrial(record({ samples: outageUntil(15_500) }));
    expect(result.faults[0]?.selfHealed).toBe(true);
  });

  it('does not count a recovery at the revert as self-healed', () => {
    const result = scoreTrial(record({ samples: outageUntil(30_000) }));
    const fault = result.faults[0];

    expect(fault?.tRecoverMs).toBe(30_000);
    expect(fault?.selfHealed).toBe(false);
  });

  it('does not count a recovery second that straddles the revert as self-healed', () => {
    const result = scoreTrial(
      record({ samples: outageUntil(30_000), faults: [killModel({ revertedAtMs: 30_400 })] }),
    );
    const fault = result.faults[0];

    expect(fault?.tRecoverMs).toBe(30_000);
    expect(fault?.selfHealed).toBe(false);
  });

  it('scores TTA and TTM from the incident of the detection', () => {
    const result = scoreTrial(
      record({
        samples: outageUntil(15_500),
        healerEvents: [
          event('detected', 13_000, 'gateway'),
          event('approval.requested', 13_100, 'model', { action: 'restart' }),
          event('approval.granted', 13_600, 'model', { decidedBy: 'policy:auto' }),
          event('action.finished', 14_000, 'model', { outcome: 'failed' }),
          event('action.finished', 15_300, 'model', { outcome: 'succeeded' }),
          event('action.finished', 14_500, 'ingest', {
            outcome: 'succeeded',
            incidentId: 'other',
          }),
        ],
      }),
    );
    const fault = result.faults[0];

    expect(fault?.ttdMs).toBe(1_000);
    expect(fault?.ttaMs).toBe(600);
    expect(fault?.ttmMs).toBe(3_300);
  });

  it('reports availability and latency while the fault is active', () => {
    const result = scoreTrial(record({ samples: outageUntil(15_500) }));
    const window = result.faults[0]?.window;

    // 18 samples in (12 s, 30 s], 4 of them with 25 failures out of 50.
    expect(window?.requests).toBe(900);
    expect(window?.successes).toBe(800);
    expect(window?.availability).toBeCloseTo(800 / 900, 10);
    expect(window?.latencyP95MaxMs).toBe(40);
  });
});

describe('attribution of detections', () => {
  it('accepts a dependent service naming the fault', () => {
    const result = scoreTrial(
      record({
        samples: outageUntil(15_500),
        healerEvents: [event('detected', 12_800, 'gateway')],
      }),
    );
    expect(result.faults[0]?.ttdMs).toBe(800);
    expect(result.falseAlarms).toEqual([]);
  });

  it('accepts either end of an edge fault', () => {
    const edgeFault = killModel({
      name: 'slow-postgres',
      kind: 'latency',
      target: { kind: 'edge', from: 'indexer', to: 'postgres' },
    });
    for (const service of ['indexer', 'postgres', 'gateway']) {
      const result = scoreTrial(
        record({
          faults: [edgeFault],
          samples: outageUntil(15_500),
          healerEvents: [event('detected', 14_000, service)],
        }),
      );
      expect(result.faults[0]?.ttdMs, service).toBe(2_000);
    }
  });

  it('ignores a detection of an unrelated service', () => {
    const result = scoreTrial(
      record({
        samples: outageUntil(15_500),
        healerEvents: [event('detected', 13_000, 'ingest', { incidentId: 'x' })],
      }),
    );
    expect(result.faults[0]?.tDetectMs).toBeUndefined();
    expect(verdict(result, 'detectWithin')?.status).toBe('failed');
  });
});

describe('false alarms', () => {
  const alarms = () =>
    scoreTrial(
      record({
        samples: outageUntil(15_500),
        experiment: { ...record().experiment, expectations: { noFalseAlarms: true } },
        healerEvents: [
          event('detected', 5_000, 'model', { incidentId: 'baseline' }),
          event('detected', 13_000, 'model'),
          event('detected', 14_000, 'ingest', { incidentId: 'unrelated' }),
          event('detected', 34_000, 'model', { incidentId: 'after-revert' }),
          event('detected', 36_000, 'model', { incidentId: 'late' }),
          event('action.started', 37_000, 'model', { incidentId: 'late' }),
        ],
      }),
    );

  it('lists detections that no active fault explains', () => {
    const result = alarms();
    expect(result.falseAlarms.map((alarm) => alarm.tMs)).toEqual([5_000, 14_000, 36_000]);
  });

  it('fails the noFalseAlarms expectation with the count', () => {
    const result = alarms();
    const noFalseAlarms = verdict(result, 'noFalseAlarms');

    expect(noFalseAlarms?.status).toBe('failed');
    expect(noFalseAlarms?.observed).toBe(3);
    expect(result.status).toBe('failed');
  });
});

describe('trial status', () => {
  it('passes when every expectation passes', () => {
    const result = scoreTrial(
      record({
        samples: outageUntil(15_500),
        healerEvents: [event('detected', 13_200, 'model')],
      }),
    );
    expect(result.statusReasons).toEqual([]);
    expect(result.status).toBe('passed');
  });

  it('is inconclusive when a fault never lands', () => {
    const result = scoreTrial(record({ healerEvents: [event('detected', 13_200, 'model')] }));

    expect(result.faults[0]?.landed).toBe(false);
    expect(result.status).toBe('inconclusive');
    expect(verdict(result, 'detectWithin')?.status).toBe('no_data');
    expect(result.statusReasons[0]).toContain('kill-model never landed');
  });

  it('is inconclusive when a fault was never injected', () => {
    const fault = killModel({ injectedAtMs: undefined, injectError: 'process not found' });
    const result = scoreTrial(record({ faults: [fault] }));

    expect(result.status).toBe('inconclusive');
    expect(result.statusReasons[0]).toBe('fault kill-model was not injected: process not found');
  });

  it('counts moved error counters as landed', () => {
    const trickle = samples((tMs) =>
      tMs > 12_000 && tMs <= 20_000 ? failingSample(tMs, 0.02) : undefined,
    );
    const result = scoreTrial(record({ samples: trickle }));

    expect(result.faults[0]?.landed).toBe(true);
    expect(result.faults[0]?.landedBy).toBe('errors');
  });

  it('counts the faulted path counters as landed', () => {
    const result = scoreTrial(record({ faults: [killModel({ pathImpactAtMs: 12_400 })] }));

    expect(result.faults[0]?.landedBy).toBe('path');
    expect(result.faults[0]?.tImpactMs).toBe(12_400);
  });

  it('never passes on missing data', () => {
    const experiment = { ...record().experiment, expectations: { maxDataLoss: 0 } };
    const result = scoreTrial(record({ experiment, samples: outageUntil(15_500) }));

    expect(verdict(result, 'maxDataLoss')?.status).toBe('no_data');
    expect(result.status).toBe('inconclusive');
  });

  it('is inconclusive without samples', () => {
    const experiment = { ...record().experiment, expectations: {} };
    const result = scoreTrial(record({ experiment, samples: [], faults: [] }));
    expect(result.status).toBe('inconclusive');
  });

  it('counts data loss against its limit', () => {
    const experiment = { ...record().experiment, expectations: { maxDataLoss: 1 } };
    const result = scoreTrial(
      record({
        experiment,
        samples: outageUntil(15_500),
        dataLoss: { acknowledged: 100, found: 97, missing: ['doc-3', 'doc-9', 'doc-40'] },
      }),
    );
    const dataLoss = verdict(result, 'maxDataLoss');

    expect(dataLoss?.status).toBe('failed');
    expect(dataLoss?.observed).toBe(3);
    expect(dataLoss?.limit).toBe(1);
    expect(dataLoss?.message).toContain('doc-3, doc-9, doc-40');
  });

  it('fails on leftovers of cleanup', () => {
    const result = scoreTrial(
      record({
        samples: outageUntil(15_500),
        healerEvents: [event('detected', 13_200, 'model')],
        cleanup: { toxicsLeft: ['gateway-to-model/latency'], unhealthy: [], stoppedProcesses: [] },
      }),
    );
    expect(result.cleanup.clean).toBe(false);
    expect(result.status).toBe('failed');
    expect(result.statusReasons).toContain('toxic still installed: gateway-to-model/latency');
  });

  it('reports an interrupted trial as interrupted', () => {
    const result = scoreTrial(record({ interrupted: true, samples: outageUntil(15_500) }));
    expect(result.status).toBe('interrupted');
  });

  it('leaves unobserved phases of an interrupted trial unscored', () => {
    const result = scoreTrial(record({ interrupted: true, samples: outageUntil(15_500) }));
    const detect = verdict(result, 'detectWithin');
    expect(detect?.status).toBe('no_data');
    expect(detect?.message).toMatch(/^not scored, the run was interrupted: never detected/);
  });

  it('reports a harness error as errored', () => {
    const result = scoreTrial(
      record({ error: 'postgres did not start', samples: outageUntil(15_500) }),
    );
    expect(result.status).toBe('errored');
  });

  it('fails mustSelfHeal when service returns only after the revert', () => {
    const experiment = { ...record().experiment, expectations: { mustSelfHeal: true } };
    const result = scoreTrial(record({ experiment, samples: outageUntil(30_000) }));
    expect(verdict(result, 'mustSelfHeal')?.status).toBe('failed');
  });

  it('judges answer quality after recovery', () => {
    const experiment = {
      ...record().experiment,
      expectations: { quality: { maxWrongAnswerRate: 0.1 } },
    };
    const checked = samples((tMs) => {
      if (tMs > 12_000 && tMs <= 16_000) return failingSample(tMs);
      // Wrong answers before recovery do not count. After it, 1 in 5 is wrong.
      return { ...healthySample(tMs), answersChecked: 5, wrongAnswers: tMs > 16_000 ? 1 : 5 };
    });
    const result = scoreTrial(record({ experiment, samples: checked }));
    const quality = verdict(result, 'quality');

    expect(quality?.status).toBe('failed');
    expect(quality?.observed).toBeCloseTo(0.2, 10);
  });
});

describe('scorecard over trials', () => {
  const trials = [1_000, 2_000, 3_000, 4_000, 5_000].map((ttd, index) =>
    record({
      trial: index + 1,
      samples: outageUntil(15_500),
      healerEvents: [event('detected', 12_000 + ttd, 'model')],
      experiment: { ...record().experiment, expectations: { detectWithinMs: 4_500 } },
    }),
  );

  it('summarizes TTD as p50, p95 and a spread', () => {
    const scorecard = buildScorecard(trials);
    const ttd = scorecard.statistics.faults[0]?.ttdMs;

    expect(ttd?.n).toBe(5);
    expect(ttd?.p50).toBe(3_000);
    expect(ttd?.min).toBe(1_000);
    expect(ttd?.max).toBe(5_000);
    expect(ttd?.p95).toBeGreaterThan(4_000);
    expect(ttd?.ci95.low).toBeLessThanOrEqual(3_000);
    expect(ttd?.ci95.high).toBeGreaterThanOrEqual(3_000);
  });

  it('fails an expectation that one trial failed', () => {
    const scorecard = buildScorecard(trials);
    const detect = scorecard.expectations.find((entry) => entry.name === 'detectWithin');

    expect(detect?.status).toBe('failed');
    expect(detect?.observed).toBe(5_000);
    expect(detect?.message).toMatch(/^1 of 5 trials: /);
    expect(scorecard.status).toBe('failed');
  });

  it('marks an expected failure that failed as expected', () => {
    const experiment = { ...record().experiment, expectedOutcome: 'fail' as const };
    const scorecard = buildScorecard([record({ experiment, samples: outageUntil(15_500) })]);

    expect(scorecard.status).toBe('failed');
    expect(scorecard.asExpected).toBe(true);
  });

  it('rejects an invalid record with the field path', () => {
    const broken = { ...record(), trial: 0 };
    expect(() => buildScorecard([broken])).toThrow(/trial/);
  });
});
