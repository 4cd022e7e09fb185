import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../../common/src/log.ts';
import { type LoadedTopology, proxyName } from '../../../common/src/topology.ts';
import { type FaultLedger, injectRecorded } from '../faults/ledger.ts';
import { createFault, type FaultKindName, faultKinds } from '../faults/registry.ts';
import type { FaultContext, FaultSpec } from '../faults/types.ts';
import type { Timeline } from '../observe/timeline.ts';
import type { FaultRecord, FaultTarget } from '../score/record.ts';

export interface FaultTimelineOptions {
  faults: FaultSpec[];
  /** Run time at which the method starts; each fault's `atMs` counts from here. */
  methodStartMs: number;
  context: FaultContext;
  ledger: FaultLedger;
  timeline: Timeline;
  topology: LoadedTopology;
  /** Aborts on an interrupt or an abort condition; faults then stay for `revertAll`. */
  signal: AbortSignal;
  logger: Logger;
  onChange?: (change: {
    fault: string;
    event: 'injected' | 'reverted' | 'failed';
    detail?: string;
  }) => void;
}

/** The fault's target in the scorer's terms: a service, or the edge that a proxy carries. */
export function faultTarget(spec: FaultSpec, topology: LoadedTopology): FaultTarget {
  const kind = faultKinds[spec.kind as FaultKindName];
  if (kind?.targetType === 'edge') {
    const edge = topology.edges.find((candidate) => proxyName(candidate) === spec.target);
    if (edge) return { kind: 'edge', from: edge.from, to: edge.to };
  }
  return { kind: 'service', service: spec.target };
}

/**
 * Walks the fault timeline: each fault is injected at its offset (its revert recorded in the ledger
 * first) and reverted when its duration ends. Faults run concurrently, so they may overlap. When
 * `signal` aborts, pending faults are skipped and active ones are left for the caller's
 * `ledger.revertAll()`, which undoes them newest first.
 */
export async function walkFaultTimeline(options: FaultTimelineOptions): Promise<FaultRecord[]> {
  return await Promise.all(options.faults.map((spec) => runFault(spec, options)));
}

async function waitUntil(
  timeline: Timeline,
  runTimeMs: number,
  signal: AbortSignal,
): Promise<boolean> {
  const delayMs = runTimeMs - timeline.nowMs();
  if (delayMs > 0) await sleep(delayMs, undefined, { signal }).catch(() => {});
  return !signal.aborted;
}

async function runFault(spec: FaultSpec, options: FaultTimelineOptions): Promise<FaultRecord> {
  const { timeline, signal, ledger } = options;
  const logger = options.logger.child({ fault: spec.name, kind: spec.kind, target: spec.target });
  const record: FaultRecord = {
    name: spec.name,
    kind: spec.kind,
    target: faultTarget(spec, options.topology),
    plannedAtMs: options.methodStartMs + spec.atMs,
    plannedDurationMs: spec.durationMs,
  };
  if (!(await waitUntil(timeline, record.plannedAtMs, signal))) return record;

  const fault = createFault(spec, options.context);
  try {
    const result = await injectRecorded(ledger, fault, signal);
    record.injectedAtMs = result.injectedAtMs - timeline.runStartMonotonicMs;
    timeline.add({
      tMs: record.injectedAtMs,
      source: 'fault',
      type: 'injected',
      data: { fault: spec.name, ...result.detail },
    });
    logger.info({ tMs: record.injectedAtMs, detail: result.detail }, 'fault injected');
    options.onChange?.({ fault: spec.name, event: 'injected' });
  } catch (error) {
    record.injectError = (error as Error).message;
    timeline.record('fault', 'inject_failed', { fault: spec.name, error: record.injectError });
    logger.error({ err: error }, 'fault inject failed');
    options.onChange?.({ fault: spec.name, event: 'failed', detail: record.injectError });
  }

  const endMs = record.plannedAtMs + spec.durationMs;
  if (!(await waitUntil(timeline, endMs, signal))) return record;
  const failure = await ledger.revert(spec.name);
  record.revertedAtMs = timeline.nowMs();
  if (failure) record.revertError = String((failure.error as Error)?.message ?? failure.error);
  timeline.record('fault', 'reverted', { fault: spec.name, error: record.revertError });
  options.onChange?.({ fault: spec.name, event: 'reverted', detail: record.revertError });
  return record;
}
