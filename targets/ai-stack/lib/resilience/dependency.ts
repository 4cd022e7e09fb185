import type { Logger } from '../../../../common/src/log.ts';
import type { ServiceMetrics } from '../metrics.ts';
import { type BreakerOptions, type BreakerState, CircuitBreaker } from './breaker.ts';
import { RetryBudget, type RetryBudgetOptions } from './retry-budget.ts';

/**
 * A guarded dependency: every call gets a timeout per attempt, retries drawn from a retry budget,
 * and a circuit breaker that fails calls at once while the dependency is known to be down.
 */
export interface DependencyOptions {
  timeoutMs: number;
  /** Attempts per call, the first included. */
  maxAttempts: number;
  /** Pause before a retry; each retry waits between half of it and all of it. */
  backoffMs: number;
  breaker: BreakerOptions;
  budget: RetryBudgetOptions;
}

export const defaultDependencyOptions: DependencyOptions = {
  timeoutMs: 2_000,
  maxAttempts: 3,
  backoffMs: 50,
  breaker: { failureThreshold: 5, openMs: 2_000 },
  budget: { ratio: 0.2, minPerSecond: 5, windowMs: 10_000 },
};

export type FailureReason = 'timeout' | 'failed' | 'circuit-open';

/** A call to a dependency failed; `retryable` states whether a later retry can succeed. */
export class DependencyError extends Error {
  override name = 'DependencyError';
  constructor(
    readonly dependency: string,
    readonly reason: FailureReason,
    message: string,
    readonly retryable = true,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

/**
 * An error that retrying cannot fix, such as a 4xx response. It is passed through unchanged and does
 * not count against the breaker, because the dependency itself is working.
 */
export class PermanentError extends Error {
  override name = 'PermanentError';
}

const BREAKER_GAUGE: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

class AttemptTimeout extends Error {}

export class Dependency {
  readonly breaker: CircuitBreaker;
  readonly budget: RetryBudget;

  constructor(
    readonly name: string,
    readonly options: DependencyOptions,
    private readonly metrics: ServiceMetrics,
    private readonly logger: Logger,
  ) {
    metrics.breakerState.set({ dependency: name }, 0);
    this.breaker = new CircuitBreaker(options.breaker, undefined, (state) => {
      metrics.breakerState.set({ dependency: name }, BREAKER_GAUGE[state]);
      logger.warn({ dependency: name, state }, 'circuit breaker changed state');
    });
    this.budget = new RetryBudget(options.budget);
  }

  /** Runs `operation` under the guards. The signal aborts when the attempt times out. */
  async call<T>(operation: (signal: AbortSignal) => Promise<T>): Promise<T> {
    this.budget.recordRequest();
    for (let attempt = 1; ; attempt++) {
      if (!this.breaker.tryAcquire()) {
        this.metrics.dependencyCalls.inc({ dependency: this.name, outcome: 'rejected' });
        throw new DependencyError(
          this.name,
          'circuit-open',
          `${this.name} is unavailable: circuit breaker open`,
        );
      }
      try {
        return await this.attempt(operation);
      } catch (error) {
        if (error instanceof PermanentError) throw error;
        const last = attempt >= this.options.maxAttempts || !this.retryAllowed();
        if (last) throw this.wrap(error);
        this.logger.debug(
          { dependency: this.name, attempt, err: error },
          'retrying dependency call',
        );
        await sleep(this.options.backoffMs * (0.5 + Math.random() / 2));
      }
    }
  }

  private retryAllowed(): boolean {
    const allowed = this.budget.tryRetry();
    this.metrics.dependencyRetries.inc({
      dependency: this.name,
      outcome: allowed ? 'attempted' : 'denied',
    });
    return allowed;
  }

  private async attempt<T>(operation: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const stopTimer = this.metrics.dependencyDuration.startTimer({ dependency: this.name });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort(new AttemptTimeout());
        reject(new AttemptTimeout());
      }, this.options.timeoutMs);
    });
    try {
      const result = await Promise.race([operation(controller.signal), timeout]);
      this.breaker.recordSuccess();
      this.metrics.dependencyCalls.inc({ dependency: this.name, outcome: 'success' });
      return result;
    } catch (error) {
      this.recordFailure(error);
      throw error;
    } finally {
      clearTimeout(timer);
      stopTimer();
    }
  }

  private recordFailure(error: unknown): void {
    if (error instanceof PermanentError) {
      this.breaker.recordSuccess();
      this.metrics.dependencyCalls.inc({ dependency: this.name, outcome: 'success' });
      return;
    }
    const timedOut = error instanceof AttemptTimeout || controllerTimeout(error);
    this.breaker.recordFailure();
    this.metrics.dependencyCalls.inc({
      dependency: this.name,
      outcome: timedOut ? 'timeout' : 'failure',
    });
    this.metrics.dependencyErrors.inc({
      dependency: this.name,
      reason: timedOut ? 'timeout' : errorCode(error),
    });
  }

  private wrap(error: unknown): DependencyError {
    if (error instanceof AttemptTimeout || controllerTimeout(error)) {
      return new DependencyError(
        this.name,
        'timeout',
        `${this.name} timed out after ${this.options.timeoutMs} ms`,
        true,
        { cause: error },
      );
    }
    const detail = error instanceof Error ? error.message : String(error);
    return new DependencyError(this.name, 'failed', `${this.name} call failed: ${detail}`, true, {
      cause: error,
    });
  }
}

function controllerTimeout(error: unknown): boolean {
  return error instanceof Error && error.cause instanceof AttemptTimeout;
}

/** Returns a short, bounded label for the error: its code (`ECONNREFUSED`) or its class name. */
function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code)) return code;
  return error instanceof Error ? error.name : 'unknown';
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
