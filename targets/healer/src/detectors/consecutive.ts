import type { Verdict } from './verdict.ts';

/**
 * Fires after `failures` failed checks in a row and clears after `successes` passed checks in a
 * row, so one lost probe neither raises nor ends an incident.
 */
export class ConsecutiveFailures {
  private failuresInRow = 0;
  private successesInRow = 0;
  private firing = false;

  constructor(
    readonly failures: number,
    readonly successes = 1,
  ) {}

  observe(ok: boolean, detail: Record<string, unknown> = {}): Verdict {
    if (ok) {
      this.successesInRow++;
      this.failuresInRow = 0;
      if (this.firing && this.successesInRow >= this.successes) this.firing = false;
    } else {
      this.failuresInRow++;
      this.successesInRow = 0;
      if (this.failuresInRow >= this.failures) this.firing = true;
    }
    return {
      firing: this.firing,
      evidence: { consecutiveFailures: this.failuresInRow, threshold: this.failures, ...detail },
    };
  }
}
