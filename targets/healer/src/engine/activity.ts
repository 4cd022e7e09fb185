import { setTimeout as delay } from 'node:timers/promises';

/**
 * Activity of every playbook: the targets each one is remediating now and when it last acted, so
 * a playbook can defer to others (`deferTo` in the policy).
 */
export class PlaybookActivity {
  private readonly busyTargets = new Map<string, Set<string>>();
  private readonly lastActionAtMs = new Map<string, number>();

  constructor(private readonly nowMs: () => number) {}

  setBusy(playbook: string, target: string, busy: boolean): void {
    const targets = this.busyTargets.get(playbook) ?? new Set<string>();
    if (busy) targets.add(target);
    else targets.delete(target);
    this.busyTargets.set(playbook, targets);
  }

  recordAction(playbook: string): void {
    this.lastActionAtMs.set(playbook, this.nowMs());
  }

  /**
   * Resolves once none of `playbooks` remediates any target and none acted in the last
   * `settleMs`. Any target counts, because errors on one service often come from a dependency
   * another playbook is restarting. Returns how long it waited, in milliseconds.
   */
  async waitSettled(
    playbooks: readonly string[],
    settleMs: number,
    signal: AbortSignal,
  ): Promise<number> {
    const startedAtMs = this.nowMs();
    for (;;) {
      const waitMs = this.remainingMs(playbooks, settleMs);
      if (waitMs <= 0) return this.nowMs() - startedAtMs;
      // Re-checked in steps because another playbook may start while this one waits.
      await delay(Math.min(waitMs, 100), undefined, { signal });
    }
  }

  private remainingMs(playbooks: readonly string[], settleMs: number): number {
    let remainingMs = 0;
    for (const playbook of playbooks) {
      if ((this.busyTargets.get(playbook)?.size ?? 0) > 0) return Number.POSITIVE_INFINITY;
      const last = this.lastActionAtMs.get(playbook);
      if (last !== undefined) remainingMs = Math.max(remainingMs, last + settleMs - this.nowMs());
    }
    return remainingMs;
  }
}
