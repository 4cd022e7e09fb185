import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../../../../common/src/log.ts';
import type { PlaybookSpec } from '../policy/schema.ts';
import type { PlaybookActivity } from './activity.ts';
import type { ApprovalDecision, ApprovalRequest } from './approvals.ts';
import type { EventLog } from './event-log.ts';
import { RevertGuard } from './revert.ts';

/** The detection that started a playbook. */
export interface Trigger {
  detector: string;
  service: string;
  signal: string;
  incidentId: string;
  evidence: Record<string, unknown>;
}

/** Detector state as a playbook reads it. */
export interface SignalBoard {
  isFiring(detector: string, service: string): boolean;
  /** When the detector last cleared for the service; undefined while it fires. */
  clearSinceMs(detector: string, service: string): number | undefined;
  /** Resolves true once the detector is clear for the service, or false after `withinMs`. */
  waitClear(
    detector: string,
    service: string,
    withinMs: number,
    signal: AbortSignal,
  ): Promise<boolean>;
}

export interface PlaybookDeps {
  events: EventLog;
  signals: SignalBoard;
  activity: PlaybookActivity;
  requestApproval(request: ApprovalRequest, signal: AbortSignal): Promise<ApprovalDecision>;
  needsApproval: boolean;
  /** Performs the action; `undo` leaves a degraded mode again. Returns evidence for the event. */
  act(target: string, undo: boolean): Promise<Record<string, unknown> | undefined>;
  nowMs(): number;
  log: Logger;
}

/** Delay before the next attempt: initial · factor^(attempt − 1), capped at max. */
export function backoffMs(backoff: PlaybookSpec['backoff'], attempt: number): number {
  return Math.min(backoff.max, backoff.initial * backoff.factor ** (attempt - 1));
}

/**
 * Runs one playbook: per target service, at most one remediation at a time, spaced by the cooldown,
 * retried with backoff until the verify detector clears, and escalated after `maxAttempts`. A
 * playbook with `revert` hands every mode it switches on to a `RevertGuard`, which switches it off
 * again whatever became of the remediation.
 */
export class Playbook {
  private readonly lastActionAtMs = new Map<string, number>();
  private readonly running = new Map<string, Promise<void>>();
  /** Incidents whose approval was denied or expired: asking again would overrule the answer. */
  private readonly declinedIncidents = new Set<string>();
  private readonly guard: RevertGuard;

  constructor(
    readonly spec: PlaybookSpec,
    private readonly deps: PlaybookDeps,
  ) {
    this.guard = new RevertGuard(spec, deps, (trigger, target, undo, extra) =>
      this.runAction(trigger, target, 1, undo, extra),
    );
  }

  /** Starts remediation for a detection, unless one is already running for the same target. */
  handle(trigger: Trigger, signal: AbortSignal): Promise<void> | undefined {
    const target = this.spec.target ?? trigger.service;
    if (this.running.has(target)) return undefined;
    // Busy from the first moment, so a playbook deferring to this one and started by the same
    // evaluation already sees it.
    this.deps.activity.setBusy(this.spec.name, target, true);
    const done = this.remediate(trigger, target, signal)
      .catch((error) => {
        if (!signal.aborted)
          this.deps.log.error({ err: error, playbook: this.spec.name }, 'playbook failed');
      })
      .finally(() => {
        this.running.delete(target);
        this.deps.activity.setBusy(this.spec.name, target, false);
      });
    this.running.set(target, done);
    return done;
  }

  /**
   * Switches off every mode this playbook left on, after the remediations in flight have ended.
   * For shutdown: call it once the signal given to `handle` has aborted.
   */
  async revertAll(): Promise<void> {
    await Promise.allSettled(this.running.values());
    await this.guard.revertAll();
  }

  private async remediate(trigger: Trigger, target: string, signal: AbortSignal): Promise<void> {
    const { spec, deps } = this;
    const verifyDetector = spec.verify.detector ?? trigger.detector;
    if (this.declinedIncidents.has(trigger.incidentId)) return;
    for (let attempt = 1; attempt <= spec.maxAttempts; attempt++) {
      await this.waitCooldown(target, signal);
      await this.waitDeferred(trigger, target, signal);
      if (!deps.signals.isFiring(trigger.detector, trigger.service)) return;
      if (deps.needsApproval && !(await this.approve(trigger, target, signal))) return;

      await this.runAction(trigger, target, attempt, false);
      this.lastActionAtMs.set(target, deps.nowMs());
      if (spec.revert) this.guard.hold(trigger, target, signal);
      const cleared = await deps.signals.waitClear(
        verifyDetector,
        trigger.service,
        spec.verify.within,
        signal,
      );
      if (cleared) return;
      if (attempt < spec.maxAttempts)
        await delay(backoffMs(spec.backoff, attempt), undefined, { signal });
    }
    deps.events.emit({
      ...this.eventBase(trigger, target),
      kind: 'escalated',
      message: `${spec.action} did not clear ${verifyDetector} after ${spec.maxAttempts} attempt(s)`,
      evidence: {
        ...trigger.evidence,
        attempts: spec.maxAttempts,
        verifyDetector,
        playbook: spec.name,
      },
    });
  }

  private async waitCooldown(target: string, signal: AbortSignal): Promise<void> {
    const last = this.lastActionAtMs.get(target);
    if (last === undefined) return;
    const remainingMs = last + this.spec.cooldown - this.deps.nowMs();
    if (remainingMs > 0) await delay(remainingMs, undefined, { signal });
  }

  private async waitDeferred(trigger: Trigger, target: string, signal: AbortSignal): Promise<void> {
    const { deferTo, deferFor, name } = this.spec;
    if (deferTo.length === 0) return;
    const waitedMs = await this.deps.activity.waitSettled(deferTo, deferFor, signal);
    if (waitedMs > 0) {
      this.deps.log.info(
        {
          playbook: name,
          target,
          deferTo,
          waitedMs,
          stillFiring: this.deps.signals.isFiring(trigger.detector, trigger.service),
        },
        'deferred to other playbooks',
      );
    }
  }
  private async approve(trigger: Trigger, target: string, signal: AbortSignal): Promise<boolean> {
    const decision = await this.deps.requestApproval(
      {
        service: target,
        signal: trigger.signal,
        incidentId: trigger.incidentId,
        action: this.spec.action,
        evidence: { ...trigger.evidence, playbook: this.spec.name },
      },
      signal,
    );
    if (decision !== 'granted') this.declinedIncidents.add(trigger.incidentId);
    return decision === 'granted';
  }

  private async runAction(
    trigger: Trigger,
    target: string,
    attempt: number,
    undo: boolean,
    extra: Record<string, unknown> = {},
  ): Promise<boolean> {
    const { events } = this.deps;
    const base = this.eventBase(trigger, target);
    const evidence = { playbook: this.spec.name, attempt, undo, mode: this.spec.mode, ...extra };
    events.emit({ ...base, kind: 'action.started', evidence });
    const startedAtMs = this.deps.nowMs();
    this.deps.activity.recordAction(this.spec.name);
    try {
      const result = await this.deps.act(target, undo);
      const durationMs = this.deps.nowMs() - startedAtMs;
      events.emit({
        ...base,
        kind: 'action.finished',
        outcome: 'succeeded',
        evidence: { ...evidence, ...result, durationMs },
      });
      return true;
    } catch (error) {
      const durationMs = this.deps.nowMs() - startedAtMs;
      const message = (error as Error).message;
      events.emit({
        ...base,
        kind: 'action.finished',
        outcome: 'failed',
        message,
        evidence: { ...evidence, durationMs },
      });
      return false;
    }
  }

  private eventBase(trigger: Trigger, target: string) {
    return {
      service: target,
      signal: trigger.signal,
      incidentId: trigger.incidentId,
      action: this.spec.action,
    };
  }
}
