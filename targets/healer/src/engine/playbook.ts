import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../../../../common/src/log.ts';
import type { PlaybookSpec } from '../policy/schema.ts';
import type { ApprovalDecision, ApprovalRequest } from './approvals.ts';
import type { EventLog } from './event-log.ts';

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
 * retried with backoff until the verify detector clears, and escalated after `maxAttempts`.
 */
export class Playbook {
  private readonly lastActionAtMs = new Map<string, number>();
  private readonly running = new Set<string>();
  private readonly revertedAtMs = new Map<string, number>();
  private readonly revertHoldMs = new Map<string, number>();

  constructor(
    readonly spec: PlaybookSpec,
    private readonly deps: PlaybookDeps,
  ) {}

  /** Starts remediation for a detection, unless one is already running for the same target. */
  handle(trigger: Trigger, signal: AbortSignal): Promise<void> | undefined {
    const target = this.spec.target ?? trigger.service;
    if (this.running.has(target)) return undefined;
    this.running.add(target);
    return this.remediate(trigger, target, signal)
      .catch((error) => {
        if (!signal.aborted)
          this.deps.log.error({ err: error, playbook: this.spec.name }, 'playbook failed');
      })
      .finally(() => this.running.delete(target));
  }

  private async remediate(trigger: Trigger, target: string, signal: AbortSignal): Promise<void> {
    const { spec, deps } = this;
    const verifyDetector = spec.verify.detector ?? trigger.detector;
    for (let attempt = 1; attempt <= spec.maxAttempts; attempt++) {
      await this.waitCooldown(target, signal);
      if (!deps.signals.isFiring(trigger.detector, trigger.service)) return;
      if (deps.needsApproval && !(await this.approve(trigger, target, signal))) return;

      await this.runAction(trigger, target, attempt, false);
      this.lastActionAtMs.set(target, deps.nowMs());
      const cleared = await deps.signals.waitClear(
        verifyDetector,
        trigger.service,
        spec.verify.within,
        signal,
      );
      if (cleared) {
        if (spec.revert) await this.revertWhenClear(trigger, target, signal);
        return;
      }
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
    return decision === 'granted';
  }

  private async runAction(
    trigger: Trigger,
    target: string,
    attempt: number,
    undo: boolean,
  ): Promise<void> {
    const { events } = this.deps;
    const base = this.eventBase(trigger, target);
    const revertHoldMs = undo ? this.revertHoldMs.get(target) : undefined;
    const evidence = {
      playbook: this.spec.name,
      attempt,
      undo,
      mode: this.spec.mode,
      revertHoldMs,
    };
    events.emit({ ...base, kind: 'action.started', evidence });
    const startedAtMs = this.deps.nowMs();
    try {
      const result = await this.deps.act(target, undo);
      const durationMs = this.deps.nowMs() - startedAtMs;
      events.emit({
        ...base,
        kind: 'action.finished',
        outcome: 'succeeded',
        evidence: { ...evidence, ...result, durationMs },
      });
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
    }
  }

  /**
   * Leaves the degraded mode once the triggering detector has stayed clear for the hold time;
   * waits as long as that takes. A relapse shortly after the previous revert lengthens the hold.
   */
  private async revertWhenClear(
    trigger: Trigger,
    target: string,
    signal: AbortSignal,
  ): Promise<void> {
    const { signals, nowMs } = this.deps;
    const holdMs = this.nextHoldMs(target);
    this.revertHoldMs.set(target, holdMs);
    do {
      await signals.waitClear(trigger.detector, trigger.service, Number.POSITIVE_INFINITY, signal);
      await delay(holdMs, undefined, { signal });
    } while (signals.isFiring(trigger.detector, trigger.service));
    await this.runAction(trigger, target, 1, true);
    this.revertedAtMs.set(target, nowMs());
  }

  private nextHoldMs(target: string): number {
    const { revertHold, backoff, verify } = this.spec;
    const revertedAt = this.revertedAtMs.get(target);
    const relapsed = revertedAt !== undefined && this.deps.nowMs() - revertedAt <= verify.within;
    if (!relapsed) return revertHold;
    const previous = this.revertHoldMs.get(target) ?? revertHold;
    return Math.min(backoff.max, Math.max(previous, backoff.initial) * backoff.factor);
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
