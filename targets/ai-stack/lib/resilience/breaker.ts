/**
 * A circuit breaker. It opens after `failureThreshold` consecutive failures, rejects calls at once
 * while open, and after `openMs` lets one trial call through (half-open): success closes it, failure
 * opens it again for another `openMs`.
 */
export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  failureThreshold: number;
  openMs: number;
}

export class CircuitBreaker {
  private state: BreakerState = 'closed';
  private consecutiveFailures = 0;
  private openedAtMs = 0;
  private trialInFlight = false;

  constructor(
    readonly options: BreakerOptions,
    private readonly nowMs: () => number = () => performance.now(),
    private readonly onChange: (state: BreakerState) => void = () => {},
  ) {}

  /** Returns the current state; an open breaker whose wait is over becomes half-open. */
  current(): BreakerState {
    if (this.state === 'open' && this.nowMs() - this.openedAtMs >= this.options.openMs) {
      this.transition('half-open');
    }
    return this.state;
  }

  /** Checks whether a call may go ahead now. In half-open state only one trial call is allowed at a time. */
  tryAcquire(): boolean {
    const state = this.current();
    if (state === 'closed') return true;
    if (state === 'open' || this.trialInFlight) return false;
    this.trialInFlight = true;
    return true;
  }

  recordSuccess(): void {
    this.trialInFlight = false;
    this.consecutiveFailures = 0;
    if (this.state !== 'closed') this.transition('closed');
  }

  recordFailure(): void {
    this.trialInFlight = false;
    this.consecutiveFailures++;
    if (this.state === 'half-open' || this.consecutiveFailures >= this.options.failureThreshold) {
      this.openedAtMs = this.nowMs();
      if (this.state !== 'open') this.transition('open');
    }
  }

  /** Releases a half-open trial that ended without a verdict, such as a rejected request. */
  releaseTrial(): void {
    this.trialInFlight = false;
  }

  private transition(state: BreakerState): void {
    this.state = state;
    this.onChange(state);
  }
}
