import { randomUUID } from 'node:crypto';
import type { Verdict } from '../detectors/verdict.ts';
import type { EventLog } from './event-log.ts';
import type { SignalBoard, Trigger } from './playbook.ts';

interface Incident {
  id: string;
  service: string;
  openedAtMs: number;
  firing: Set<string>;
  signals: Set<string>;
}

type DetectionListener = (trigger: Trigger) => void;

/**
 * Turns detector verdicts into incidents. A detector that starts firing emits `detected`; while
 * any detector fires for a service, further detections on it join the same incident, and the
 * incident ends with `recovered` once every one of them has cleared.
 */
export class IncidentBoard implements SignalBoard {
  private readonly firing = new Map<string, Incident>();
  private readonly openByService = new Map<string, Incident>();
  private readonly clearWaiters = new Map<string, Set<() => void>>();
  private readonly listeners = new Set<DetectionListener>();
  private readonly clearedAtMs = new Map<string, number>();

  constructor(
    private readonly events: EventLog,
    private readonly nowMs: () => number,
  ) {}

  onDetection(listener: DetectionListener): void {
    this.listeners.add(listener);
  }

  update(detector: string, service: string, signal: string, verdict: Verdict): void {
    const key = keyOf(detector, service);
    const incident = this.firing.get(key);
    if (verdict.firing && incident === undefined) this.open(detector, service, signal, verdict);
    if (!verdict.firing && incident !== undefined) this.clear(key, incident, verdict);
  }

  isFiring(detector: string, service: string): boolean {
    return this.firing.has(keyOf(detector, service));
  }

  clearSinceMs(detector: string, service: string): number | undefined {
    const key = keyOf(detector, service);
    if (this.firing.has(key)) return undefined;
    return this.clearedAtMs.get(key) ?? Number.NEGATIVE_INFINITY;
  }

  waitClear(
    detector: string,
    service: string,
    withinMs: number,
    signal: AbortSignal,
  ): Promise<boolean> {
    const key = keyOf(detector, service);
    if (!this.firing.has(key)) return Promise.resolve(true);
    return new Promise<boolean>((resolve, reject) => {
      const waiters = this.clearWaiters.get(key) ?? new Set();
      this.clearWaiters.set(key, waiters);
      const finish = (cleared: boolean) => {
        waiters.delete(onClear);
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        resolve(cleared);
      };
      const onClear = () => finish(true);
      const onAbort = () => {
        finish(false);
        reject(signal.reason);
      };
      const timer = Number.isFinite(withinMs)
        ? setTimeout(() => finish(false), withinMs)
        : undefined;
      waiters.add(onClear);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private open(detector: string, service: string, signal: string, verdict: Verdict): void {
    let incident = this.openByService.get(service);
    if (incident === undefined) {
      incident = {
        id: randomUUID(),
        service,
        openedAtMs: this.nowMs(),
        firing: new Set(),
        signals: new Set(),
      };
      this.openByService.set(service, incident);
    }
    incident.firing.add(detector);
    incident.signals.add(signal);
    this.firing.set(keyOf(detector, service), incident);

    const evidence = { ...verdict.evidence, detector };
    this.events.emit({ kind: 'detected', service, signal, incidentId: incident.id, evidence });
    const trigger = { detector, service, signal, incidentId: incident.id, evidence };
    for (const listener of this.listeners) listener(trigger);
  }

  private clear(key: string, incident: Incident, verdict: Verdict): void {
    const detector = key.slice(0, key.indexOf('\u0000'));
    this.firing.delete(key);
    this.clearedAtMs.set(key, this.nowMs());
    incident.firing.delete(detector);
    for (const waiter of [...(this.clearWaiters.get(key) ?? [])]) waiter();

    if (incident.firing.size > 0) return;
    this.openByService.delete(incident.service);
    this.events.emit({
      kind: 'recovered',
      service: incident.service,
      signal: [...incident.signals].join(','),
      incidentId: incident.id,
      evidence: {
        ...verdict.evidence,
        detector,
        incidentDurationMs: this.nowMs() - incident.openedAtMs,
      },
    });
  }
}

function keyOf(detector: string, service: string): string {
  return `${detector}\u0000${service}`;
}
