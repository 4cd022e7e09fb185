/**
 * The gateway's degraded modes, switched by an operator or the healer:
 * - `no-neighbours` answers without the vector store, so classify works while PostgreSQL is down;
 * - `previous-model` asks the model service for its previous version instead of the active one;
 * - `shed-load` rejects a share (`ratio`) of classify requests with a fast 503.
 */
export const DEGRADED_MODES = ['no-neighbours', 'previous-model', 'shed-load'] as const;
export type DegradedMode = (typeof DEGRADED_MODES)[number];

export const DEFAULT_SHED_RATIO = 0.5;

export class DegradedModes {
  private readonly enabled = new Set<DegradedMode>();
  private shedRatio = DEFAULT_SHED_RATIO;
  private shedCredit = 0;

  isOn(mode: DegradedMode): boolean {
    return this.enabled.has(mode);
  }

  /** Active modes in their declared order. */
  active(): DegradedMode[] {
    return DEGRADED_MODES.filter((mode) => this.enabled.has(mode));
  }

  set(mode: DegradedMode, on: boolean, ratio?: number): void {
    if (on) this.enabled.add(mode);
    else this.enabled.delete(mode);
    if (mode === 'shed-load' && ratio !== undefined) this.shedRatio = ratio;
    this.shedCredit = 0;
  }

  describe(): Record<DegradedMode, { enabled: boolean; ratio?: number }> {
    return {
      'no-neighbours': { enabled: this.isOn('no-neighbours') },
      'previous-model': { enabled: this.isOn('previous-model') },
      'shed-load': { enabled: this.isOn('shed-load'), ratio: this.shedRatio },
    };
  }

  /**
   * Decides whether to reject this request. Rejections are spread evenly, not drawn at random: every
   * request adds `ratio` to a credit, and a request is rejected whenever the credit reaches 1.
   */
  shouldShed(): boolean {
    if (!this.isOn('shed-load')) return false;
    this.shedCredit += this.shedRatio;
    if (this.shedCredit < 1) return false;
    this.shedCredit -= 1;
    return true;
  }
}
