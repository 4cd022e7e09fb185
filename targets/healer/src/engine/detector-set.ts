import { BurnRate } from '../detectors/burn-rate.ts';
import { CusumDetector, EwmaDetector } from '../detectors/change.ts';
import { ConsecutiveFailures } from '../detectors/consecutive.ts';
import { evaluateAccuracy, evaluateDrift } from '../detectors/quality.ts';
import { Stall, ThresholdFor } from '../detectors/threshold.ts';
import type { SampleDetector, Verdict } from '../detectors/verdict.ts';
import type { DetectorSpec, Policy, SourceSpec } from '../policy/schema.ts';
import { sumMatching } from '../telemetry/metrics.ts';
import type { ProbeResult } from '../telemetry/probe.ts';
import { readSource, type TelemetryState } from '../telemetry/sources.ts';

/** What makes a detector re-evaluate: a probe of one kind, a scrape, or a canary batch. */
export type Feed = 'probe:liveness' | 'probe:readiness' | 'scrape' | 'canary';

/** One detector bound to one service. */
export interface DetectorInstance {
  name: string;
  service: string;
  signal: string;
  feed: Feed;
  /** Returns undefined while there is no data, so the detector keeps its state. */
  evaluate(state: TelemetryState, nowMs: number, probe?: ProbeResult): Verdict | undefined;
}

/** Builds one instance per detector and watched service, checking every service name. */
export function buildDetectors(
  policy: Policy,
  nodeServices: readonly string[],
): DetectorInstance[] {
  const canaryService = policy.telemetry.canary?.service ?? 'model';
  const instances: DetectorInstance[] = [];
  const unknown: string[] = [];
  for (const spec of policy.detectors) {
    const quality = spec.type === 'canary-accuracy' || spec.type === 'canary-drift';
    const services = spec.services ?? (quality ? [canaryService] : nodeServices);
    for (const service of services) {
      if (!nodeServices.includes(service)) unknown.push(`detector ${spec.name}: "${service}"`);
      instances.push(instantiate(spec, service));
    }
  }
  if (unknown.length > 0) {
    throw new Error(
      `policy names services the endpoints file lacks: ${unknown.join(', ')}; node services: ${nodeServices.join(', ')}`,
    );
  }
  return instances;
}

function instantiate(spec: DetectorSpec, service: string): DetectorInstance {
  const base = { name: spec.name, service };
  switch (spec.type) {
    case 'probe': {
      const detector = new ConsecutiveFailures(spec.failures, spec.successes);
      return {
        ...base,
        signal: spec.signal ?? `probe.${spec.probe}`,
        feed: `probe:${spec.probe}`,
        evaluate: (_state, _now, probe) =>
          probe &&
          detector.observe(probe.ok, {
            failure: probe.failure,
            status: probe.status,
            latencyMs: Math.round(probe.latencyMs),
            message: probe.message,
          }),
      };
    }
    case 'threshold':
      return sampled(
        base,
        spec.signal,
        spec.source,
        new ThresholdFor({ ...spec, forMs: spec.for, clearForMs: spec.clearFor }),
      );
    case 'ewma':
      return sampled(base, spec.signal, spec.source, new EwmaDetector(spec));
    case 'cusum':
      return sampled(base, spec.signal, spec.source, new CusumDetector(spec));
    case 'stall':
      return sampled(
        base,
        spec.signal ?? `${signalOf(spec.source)}.stall`,
        spec.source,
        new Stall(spec.minIncrease, spec.for),
      );
    case 'burn-rate': {
      const detector = new BurnRate({
        ...spec,
        shortWindowMs: spec.shortWindow,
        longWindowMs: spec.longWindow,
      });
      return {
        ...base,
        signal: spec.signal ?? 'slo.burn-rate',
        feed: 'scrape',
        evaluate: (state, now) => {
          const samples = state.metrics.latest(service)?.samples ?? [];
          const errors = sumMatching(samples, spec.errors.metric, spec.errors.labels) ?? 0;
          const total = sumMatching(samples, spec.total.metric, spec.total.labels);
          const excluded =
            spec.excluded === undefined
              ? 0
              : (sumMatching(samples, spec.excluded.metric, spec.excluded.labels) ?? 0);
          if (total === undefined) return undefined;
          return detector.observe(Math.max(0, errors - excluded), total - excluded, now);
        },
      };
    }
    case 'canary-accuracy':
      return {
        ...base,
        signal: spec.signal ?? 'canary.accuracy',
        feed: 'canary',
        evaluate: (state) =>
          state.canary && evaluateAccuracy(state.canary, spec.drop, spec.minSamples),
      };
    case 'canary-drift':
      return {
        ...base,
        signal: spec.signal ?? 'canary.drift',
        feed: 'canary',
        evaluate: (state) => state.canary && evaluateDrift(state.canary, spec),
      };
  }
}

function sampled(
  base: { name: string; service: string },
  signal: string | undefined,
  source: SourceSpec,
  detector: SampleDetector,
): DetectorInstance {
  return {
    ...base,
    signal: signal ?? signalOf(source),
    feed: feedOf(source),
    evaluate: (state, now) => {
      const value = readSource(source, base.service, state, now);
      return value === undefined ? undefined : detector.observe(value, now);
    },
  };
}

function signalOf(source: SourceSpec): string {
  if ('probeLatency' in source) return `probe.${source.probeLatency}.latency`;
  if ('canary' in source) return `canary.${source.canary}`;
  return `metric.${source.metric}`;
}

function feedOf(source: SourceSpec): Feed {
  if ('probeLatency' in source) return `probe:${source.probeLatency}`;
  if ('canary' in source) return 'canary';
  return 'scrape';
}
