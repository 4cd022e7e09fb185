import { setTimeout as delay } from 'node:timers/promises';

/**
 * Activity of every playbook per target: which ones are remediating now and when each last
 * acted, so a playbook can defer to others on the same target (`deferTo` in the policy).
 */
export class PlaybookActivity {
  private readonly busy = new Set<string>();
  private readonly lastActionAtMs = new Map<string, number>();

  constructor(private readonly nowMs: () => number) {}

  setBusy(playbook: string, target: string, busy: boolean): void {
    if (busy) this.busy.add(keyOf(playbook, target));
    else this.busy.delete(keyOf(playbook, target));
  }

  recordAction(playbook: string, target: string): void {
    this.lastActionAtMs.set(keyOf(playbook, target), this.nowMs());
  }

  /**
   * Resolves once none of `playbooks` remediates `target` and none acted on it in the last
   * `settleMs`. Returns how long it waited, in milliseconds.
   */
  async waitSettled(
    playbooks: readonly string[],
    target: string,
    settleMs: number,
    signal: AbortSignal,
  ): Promise<number> {
    const startedAtMs = this.nowMs();
    for (;;) {
      const waitMs = this.remainingMs(playbooks, target, settleMs);
      if (waitMs <= 0) return this.nowMs() - startedAtMs;
      // Re-checked in steps because another playbook may start while this one waits.
      await delay(Math.min(waitMs, 250), undefined, { signal });
    }
  }

  private remainingMs(playbooks: readonly string[], target: string, settleMs: number): number {
    let remainingMs = 0;
    for (const playbook of playbooks) {
      const key = keyOf(playbook, target);
      if (this.busy.has(key)) return settleMs;
      const last = this.lastActionAtMs.get(key);
      if (last !== undefined) remainingMs = Math.max(remainingMs, last + settleMs - this.nowMs());
    }
    return remainingMs;
  }
}

function keyOf(playbook: string, target: string): string {
  return `${playbook}\u0000${target}`;
}
