import { describe, expect, it } from 'vitest';
import { BurnRate } from '../src/detectors/burn-rate.ts';
import { CusumDetector, EwmaDetector } from '../src/detectors/change.ts';
import { ConsecutiveFailures } from '../src/detectors/consecutive.ts';
import { evaluateAccuracy, evaluateDrift } from '../src/detectors/quality.ts';
import { Stall, ThresholdFor } from '../src/detectors/threshold.ts';
import { CanaryStats } from '../src/telemetry/canary-stats.ts';

describe('consecutive failures', () => {
  it('fires on the nth failure in a row, not before', () => {
    const detector = new ConsecutiveFailures(2);
    expect(detector.observe(false).firing).toBe(false);
    expect(detector.observe(false).firing).toBe(true);
  });

  it('resets the count on a success', () => {
    const detector = new ConsecutiveFailures(2);
    detector.observe(false);
    detector.observe(true);
    expect(detector.observe(false).firing).toBe(false);
  });

  it('clears only after the required successes', () => {
    const detector = new ConsecutiveFailures(1, 2);
    detector.observe(false);
    expect(detector.observe(true).firing).toBe(true);
    expect(detector.observe(true).firing).toBe(false);
  });
});

describe('threshold with for', () => {
  it('fires once the breach has lasted the for duration', () => {
    const detector = new ThresholdFor({ above: 100, forMs: 2_000, clearForMs: 1_000 });
    expect(detector.observe(150, 0).firing).toBe(false);
    expect(detector.observe(150, 1_999).firing).toBe(false);
    expect(detector.observe(150, 2_000).firing).toBe(true);
  });

  it('restarts the for timer when the value dips', () => {
    const detector = new ThresholdFor({ above: 100, forMs: 2_000, clearForMs: 0 });
    detector.observe(150, 0);
    detector.observe(50, 1_000);
    expect(detector.observe(150, 2_500).firing).toBe(false);
    expect(detector.observe(150, 4_500).firing).toBe(true);
  });

  it('clears after clearFor below the threshold', () => {
    const detector = new ThresholdFor({ below: 0.5, forMs: 0, clearForMs: 1_000 });
    expect(detector.observe(0.2, 0).firing).toBe(true);
    expect(detector.observe(0.9, 500).firing).toBe(true);
    expect(detector.observe(0.9, 1_500).firing).toBe(false);
  });
});

describe('stall', () => {
  it('fires when a gauge keeps rising for the window', () => {
    const detector = new Stall(10, 3_000);
    let verdict = detector.observe(0, 0);
    for (let t = 1_000; t <= 3_000; t += 1_000) verdict = detector.observe(t / 100, t);
    expect(verdict.firing).toBe(true);
    expect(verdict.evidence.increase).toBe(30);
  });

  it('does not fire when the gauge drains in between', () => {
    const detector = new Stall(10, 3_000);
    detector.observe(0, 0);
    detector.observe(20, 1_000);
    detector.observe(5, 2_000);
    expect(detector.observe(14, 3_000).firing).toBe(false);
  });
});

describe('ewma detector', () => {
  const options = { alpha: 0.1, k: 4, warmup: 10, consecutive: 2, minStdDev: 1, minValue: 0 };

  it('stays quiet on noise around the baseline', () => {
    const detector = new EwmaDetector(options);
    const noise = [10, 11, 9, 10, 12, 8, 10, 11, 9, 10, 11, 9, 12, 8, 10];
    const fired = noise.map((value) => detector.observe(value).firing);
    expect(fired.some(Boolean)).toBe(false);
  });

  it('fires after consecutive samples far above the mean', () => {
    const detector = new EwmaDetector(options);
    for (let index = 0; index < 12; index++) detector.observe(10 + (index % 2));
    expect(detector.observe(60).firing).toBe(false);
    const verdict = detector.observe(60);
    expect(verdict.firing).toBe(true);
    expect(verdict.evidence.z as number).toBeGreaterThan(4);
  });

  it('does not fire before warm-up', () => {
    const detector = new EwmaDetector({ ...options, consecutive: 1 });
    detector.observe(10);
    expect(detector.observe(1_000).firing).toBe(false);
  });
});

describe('cusum detector', () => {
  it('accumulates a small sustained shift until it crosses h', () => {
    const detector = new CusumDetector({ k: 0.5, h: 4, warmup: 4, minStdDev: 0 });
    for (const value of [9, 11, 9, 11]) detector.observe(value);
    // mean 10, sd ≈ 1.155; each 12 adds (2 / 1.155) − 0.5 ≈ 1.232.
    const fired = [12, 12, 12, 12].map((value) => detector.observe(value).firing);
    expect(fired).toEqual([false, false, false, true]);
  });

  it('decays back to zero when the shift ends', () => {
    const detector = new CusumDetector({ k: 0.5, h: 1, warmup: 4, minStdDev: 0 });
    for (const value of [9, 11, 9, 11]) detector.observe(value);
    expect(detector.observe(14).firing).toBe(true);
    let verdict = detector.observe(10);
    for (let index = 0; index < 5; index++) verdict = detector.observe(10);
    expect(verdict.firing).toBe(false);
    expect(verdict.evidence.cusum).toBe(0);
  });
});

describe('burn rate', () => {
  const options = {
    objective: 0.99,
    shortWindowMs: 5_000,
    longWindowMs: 30_000,
    factor: 10,
    minEvents: 20,
  };

  it('fires when both windows burn faster than the factor', () => {
    const detector = new BurnRate(options);
    let verdict = detector.observe(0, 0, 0);
    // 100 requests a second, 20 % errors: burn rate 0.2 / 0.01 = 20.
    for (let t = 1_000; t <= 30_000; t += 1_000) verdict = detector.observe(t / 50, t / 10, t);
    expect(verdict.firing).toBe(true);
    expect(verdict.evidence.shortBurnRate).toBeCloseTo(20, 6);
    expect(verdict.evidence.longBurnRate).toBeCloseTo(20, 6);
  });

  it('waits for a history as long as the long window', () => {
    const detector = new BurnRate(options);
    let verdict = detector.observe(0, 0, 0);
    for (let t = 1_000; t <= 29_000; t += 1_000) verdict = detector.observe(t / 50, t / 10, t);
    expect(verdict.evidence.shortBurnRate).toBeCloseTo(20, 6);
    expect(verdict.evidence.longBurnRate).toBeUndefined();
    expect(verdict.firing).toBe(false);
  });

  it('stays quiet at the allowed error rate', () => {
    const detector = new BurnRate(options);
    let verdict = detector.observe(0, 0, 0);
    for (let t = 1_000; t <= 6_000; t += 1_000) verdict = detector.observe(t / 1_000, t / 10, t);
    expect(verdict.firing).toBe(false);
  });

  it('gives no burn rate below minEvents', () => {
    const detector = new BurnRate(options);
    detector.observe(0, 0, 0);
    const verdict = detector.observe(5, 5, 1_000);
    expect(verdict.firing).toBe(false);
    expect(verdict.evidence.shortBurnRate).toBeUndefined();
  });

  it('restarts its history on a counter reset', () => {
    const detector = new BurnRate(options);
    detector.observe(100, 200, 0);
    const verdict = detector.observe(0, 10, 1_000);
    expect(verdict.evidence.longBurnRate).toBeUndefined();
  });
});

describe('canary quality', () => {
  function record(
    stats: CanaryStats,
    version: string,
    count: number,
    correctShare: number,
    confidence: (index: number) => number,
  ) {
    for (let index = 0; index < count; index++) {
      stats.record({
        atMs: index,
        modelVersion: version,
        correct: index < count * correctShare,
        confidence: confidence(index),
        latencyMs: 5,
        degraded: false,
      });
    }
  }

  it('detects an accuracy drop of a new model version', () => {
    const stats = new CanaryStats(200, 40);
    record(stats, 'v1', 40, 0.95, () => 0.9);
    record(stats, 'v2', 40, 0.5, () => 0.9);
    const verdict = evaluateAccuracy(stats, 0.15, 30);
    expect(verdict?.firing).toBe(true);
    expect(verdict?.evidence).toMatchObject({
      baselineVersion: 'v1',
      modelVersion: 'v2',
      accuracy: 0.5,
    });
  });

  it('forgets results of an earlier deploy of a version', () => {
    const stats = new CanaryStats(200, 40);
    record(stats, 'v1', 40, 0.95, () => 0.9);
    record(stats, 'v2', 40, 0.5, () => 0.9);
    record(stats, 'v1', 8, 1, () => 0.9);
    record(stats, 'v2', 8, 0.5, () => 0.9);
    expect(stats.results('v2')).toHaveLength(8);
    expect(stats.results('v1')).toHaveLength(48);
    expect(evaluateAccuracy(stats, 0.15, 30)).toBeUndefined();
  });

  it('gives no verdict before the new version has enough samples', () => {
    const stats = new CanaryStats(200, 40);
    record(stats, 'v1', 40, 0.95, () => 0.9);
    record(stats, 'v2', 10, 0.0, () => 0.9);
    expect(evaluateAccuracy(stats, 0.15, 30)).toBeUndefined();
  });

  it('clears once the baseline version serves again', () => {
    const stats = new CanaryStats(200, 40);
    record(stats, 'v1', 40, 0.95, () => 0.9);
    record(stats, 'v2', 40, 0.5, () => 0.9);
    record(stats, 'v1', 1, 1, () => 0.9);
    expect(evaluateAccuracy(stats, 0.15, 30)?.firing).toBe(false);
  });

  it('detects a shifted confidence distribution', () => {
    const stats = new CanaryStats(200, 50);
    record(stats, 'v1', 50, 0.9, (index) => 0.8 + (index % 10) / 60);
    record(stats, 'v2', 50, 0.9, (index) => 0.5 + (index % 10) / 60);
    const verdict = evaluateDrift(stats, { psi: 0.25, ksPValue: 0.001, bins: 10, minSamples: 40 });
    expect(verdict?.firing).toBe(true);
    expect(verdict?.evidence.ksD).toBe(1);
  });

  it('does not flag drift between equal distributions', () => {
    const stats = new CanaryStats(200, 50);
    record(stats, 'v1', 50, 0.9, (index) => 0.8 + (index % 10) / 60);
    record(stats, 'v2', 50, 0.9, (index) => 0.8 + ((index + 3) % 10) / 60);
    const verdict = evaluateDrift(stats, { psi: 0.25, ksPValue: 0.001, bins: 10, minSamples: 40 });
    expect(verdict?.firing).toBe(false);
  });
});
