/** One classification of a golden example, as the canary saw it. */
export interface CanaryResult {
  atMs: number;
  modelVersion: string;
  correct: boolean;
  confidence: number;
  latencyMs: number;
  degraded: boolean;
}

/**
 * Per model version, the most recent canary results (a bounded window), plus the request outcomes
 * of the canary itself. The baseline version is the first one to collect `baselineSamples` results.
 */
export class CanaryStats {
  private readonly byVersion = new Map<string, CanaryResult[]>();
  private outcomes: Array<{ atMs: number; ok: boolean; latencyMs: number }> = [];
  baselineVersion: string | undefined;
  currentVersion: string | undefined;

  constructor(
    readonly window: number,
    readonly baselineSamples: number,
  ) {}

  record(result: CanaryResult): void {
    // A version that serves again after another one is a new deploy of it, so its old results are
    // no evidence about this deploy. The baseline version keeps its results to compare against.
    const redeployed =
      this.currentVersion !== undefined &&
      result.modelVersion !== this.currentVersion &&
      result.modelVersion !== this.baselineVersion;
    if (redeployed) this.byVersion.delete(result.modelVersion);
    const results = this.byVersion.get(result.modelVersion) ?? [];
    results.push(result);
    if (results.length > this.window) results.shift();
    this.byVersion.set(result.modelVersion, results);
    this.currentVersion = result.modelVersion;
    if (this.baselineVersion === undefined && results.length >= this.baselineSamples) {
      this.baselineVersion = result.modelVersion;
    }
    this.recordOutcome(result.atMs, true, result.latencyMs);
  }

  recordOutcome(atMs: number, ok: boolean, latencyMs: number): void {
    this.outcomes.push({ atMs, ok, latencyMs });
    if (this.outcomes.length > this.window) this.outcomes.shift();
  }

  results(version: string | undefined): CanaryResult[] {
    return version === undefined ? [] : (this.byVersion.get(version) ?? []);
  }

  /** Mean latency and error rate of the canary requests in the last `windowMs`. */
  recent(nowMs: number, windowMs: number): { latencyMs: number; errorRate: number } | undefined {
    const recent = this.outcomes.filter((outcome) => nowMs - outcome.atMs <= windowMs);
    if (recent.length === 0) return undefined;
    const latencyMs =
      recent.reduce((total, outcome) => total + outcome.latencyMs, 0) / recent.length;
    const errorRate = recent.filter((outcome) => !outcome.ok).length / recent.length;
    return { latencyMs, errorRate };
  }
}

/** Fraction of results classified correctly. */
export function accuracyOf(results: readonly CanaryResult[]): number {
  if (results.length === 0) return Number.NaN;
  return results.filter((result) => result.correct).length / results.length;
}
