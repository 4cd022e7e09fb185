import type { FaultRecord, FaultTarget, TimedHealerEvent } from './record.ts';

/**
 * Attribution of healer events to faults. A fault on a service explains events about that service and
 * about every service that depends on it, directly or through other services, because their calls
 * fail too. A fault on an edge explains events about either end and about the dependents of the
 * calling end.
 */

type Edge = { from: string; to: string };

/** Services whose calls reach `service` through the edges, `service` excluded. */
export function dependentsOf(service: string, edges: Edge[]): Set<string> {
  const found = new Set<string>();
  const pending = [service];
  while (pending.length > 0) {
    const current = pending.pop() as string;
    for (const edge of edges) {
      if (edge.to === current && !found.has(edge.from) && edge.from !== service) {
        found.add(edge.from);
        pending.push(edge.from);
      }
    }
  }
  return found;
}

/** Lists every service a healer may name when it notices this fault. */
export function explainedServices(target: FaultTarget, edges: Edge[]): Set<string> {
  const roots = target.kind === 'service' ? [target.service] : [target.from, target.to];
  const services = new Set(roots);
  const caller = target.kind === 'service' ? target.service : target.from;
  for (const dependent of dependentsOf(caller, edges)) services.add(dependent);
  return services;
}

/** Returns the window in which a fault explains healer events: from its inject to its revert plus grace. */
export function explanationWindow(
  fault: FaultRecord,
  graceMs: number,
  endMs: number,
): { fromMs: number; toMs: number } | undefined {
  if (fault.injectedAtMs === undefined) return undefined;
  const toMs = fault.revertedAtMs === undefined ? endMs : fault.revertedAtMs + graceMs;
  return { fromMs: fault.injectedAtMs, toMs };
}

/** Checks whether the fault explains a healer event, by service and by time. */
export function explains(
  fault: FaultRecord,
  event: TimedHealerEvent,
  context: { edges: Edge[]; graceMs: number; endMs: number },
): boolean {
  const window = explanationWindow(fault, context.graceMs, context.endMs);
  if (window === undefined) return false;
  if (event.tMs < window.fromMs || event.tMs > window.toMs) return false;
  return explainedServices(fault.target, context.edges).has(event.service);
}
