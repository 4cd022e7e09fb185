import { setTimeout as delay } from 'node:timers/promises';
import type { PlaybookSpec } from '../policy/schema.ts';
import type { PlaybookDeps, Trigger } from './playbook.ts';

/** Runs the playbook's action or its undo with extra evidence; resolves true when it succeeded. */
type RunAction = (
  trigger: Trigger,
  target: string,
  undo: boolean,
  evidence: Record<string, unknown>,
) => Promise<boolean>;

interface Held {
  trigger: Trigger;
  onSinceMs: number;
  watcher: Promise<void>;
}

const UNDO_ATTEMPTS = 3;
const UNDO_RETRY_MS = 1_000;

/**
 * Owns the degraded modes a playbook switched on and switches each off again: once the triggering
 * detector has stayed clear for `revertHold`, or after `revertAfter` even though it still fires
 * (with an escalation), or on shutdown. Escalation of the remediation does not cancel this, so no
 * mode the healer set stays on after its cause is gone.
 */
export class RevertGuard {
  private readonly held = new Map<string, Held>();

  constructor(
    private readonly spec: PlaybookSpec,
    private readonly deps: Pick<PlaybookDeps, 'signals' | 'events' | 'nowMs' | 'log'>,
    private readonly runAction: RunAction,
  ) {}

  /** Starts watching a mode just switched on for `target`; a mode already watched keeps its watch. */
  hold(trigger: Trigger, target: string, signal: AbortSignal): void {
    if (this.held.has(target)) return;
    const watcher = this.watch(trigger, target, signal).catch((error: unknown) => {
      if (!signal.aborted)
        this.deps.log.error({ err: error, playbook: this.spec.name, target }, 'revert failed');
    });
    this.held.set(target, { trigger, onSinceMs: this.deps.nowMs(), watcher });
  }

  /** Switches off every mode still on; for shutdown, after the watchers' signal has aborted. */
  async revertAll(): Promise<void> {
    for (const [target, entry] of [...this.held]) {
      await entry.watcher;
      if (this.held.get(target) === entry)
        await this.undo(entry, target, { reason: 'shutdown' }, 1);
    }
  }

  private async watch(trigger: Trigger, target: string, signal: AbortSignal): Promise<void> {
    const { revertAfter } = this.spec;
    const deadlineMs =
      revertAfter === undefined ? Number.POSITIVE_INFINITY : this.deps.nowMs() + revertAfter;
    const cleared = await this.waitClearFor(trigger, deadlineMs, signal);
    if (!cleared) this.escalate(trigger, target);
    const entry = this.held.get(target);
    if (entry !== undefined)
      await this.undo(
        entry,
        target,
        { reason: cleared ? 'cleared' : 'revertAfter' },
        UNDO_ATTEMPTS,
      );
  }

  /** Resolves true once the trigger has been clear for `revertHold` without a break. */
  private async waitClearFor(
    trigger: Trigger,
    deadlineMs: number,
    signal: AbortSignal,
  ): Promise<boolean> {
    const { signals, nowMs } = this.deps;
    for (;;) {
      // waitClear resolves false on abort rather than rejecting.
      signal.throwIfAborted();
      const remainingMs = deadlineMs - nowMs();
      if (remainingMs <= 0) return false;
      const clearSinceMs = signals.clearSinceMs(trigger.detector, trigger.service);
      if (clearSinceMs === undefined) {
        await signals.waitClear(trigger.detector, trigger.service, remainingMs, signal);
        continue;
      }
      const clearForMs = nowMs() - clearSinceMs;
      if (clearForMs >= this.spec.revertHold) return true;
      // A relapse during this pause moves clearSinceMs, so the next pass waits again.
      await delay(Math.min(this.spec.revertHold - clearForMs, remainingMs), undefined, { signal });
    }
  }

  private async undo(
    entry: Held,
    target: string,
    evidence: Record<string, unknown>,
    attempts: number,
  ): Promise<void> {
    const onForMs = this.deps.nowMs() - entry.onSinceMs;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const undone = await this.runAction(entry.trigger, target, true, {
        ...evidence,
        onForMs,
        revertHoldMs: this.spec.revertHold,
      });
      if (undone) {
        this.held.delete(target);
        return;
      }
      if (attempt < attempts) await delay(UNDO_RETRY_MS);
    }
    // TODO: a mode whose undo failed every time stays on until shutdown; retry on a timer once a
    // stack can lose its admin endpoint for longer than a few seconds.
    this.deps.log.error({ playbook: this.spec.name, target }, 'could not switch the mode off');
  }

  private escalate(trigger: Trigger, target: string): void {
    this.deps.events.emit({
      kind: 'escalated',
      service: target,
      signal: trigger.signal,
      incidentId: trigger.incidentId,
      action: this.spec.action,
      message: `${this.spec.action} switched off after ${this.spec.revertAfter} ms although ${trigger.detector} still fires`,
      evidence: { playbook: this.spec.name, revertAfterMs: this.spec.revertAfter },
    });
  }
}
