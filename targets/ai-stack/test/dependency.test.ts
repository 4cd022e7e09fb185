import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../common/src/log.ts';
import { createMetrics } from '../lib/metrics.ts';
import { Dependency, DependencyError, PermanentError } from '../lib/resilience/dependency.ts';

const logger = createLogger('test');
logger.level = 'silent';

function dependency(overrides: Partial<ConstructorParameters<typeof Dependency>[1]> = {}) {
  const metrics = createMetrics('test');
  const guard = new Dependency(
    'upstream',
    {
      timeoutMs: 50,
      maxAttempts: 3,
      backoffMs: 1,
      breaker: { failureThreshold: 4, openMs: 60_000 },
      budget: { ratio: 0.2, minPerSecond: 10, windowMs: 10_000 },
      ...overrides,
    },
    metrics,
    logger,
  );
  return { guard, metrics };
}

describe('Dependency', () => {
  it('retries a failed attempt', async () => {
    const { guard } = dependency();
    let calls = 0;
    const result = await guard.call(async () => {
      calls++;
      if (calls < 3) throw new Error('connection reset');
      return 'ok';
    });
    expect(result).toBe('ok');
    expect(calls).toBe(3);
  });

  it('times out a slow attempt', async () => {
    const { guard } = dependency({ maxAttempts: 1 });
    const error = await guard.call(() => new Promise(() => {})).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DependencyError);
    expect((error as DependencyError).reason).toBe('timeout');
  });

  it('aborts the signal of a timed-out attempt', async () => {
    const { guard } = dependency({ maxAttempts: 1 });
    let seen: AbortSignal | undefined;
    await guard
      .call((signal) => {
        seen = signal;
        return new Promise(() => {});
      })
      .catch(() => {});
    expect(seen?.aborted).toBe(true);
  });

  it('does not retry a permanent error', async () => {
    const { guard } = dependency();
    let calls = 0;
    const call = guard.call(async () => {
      calls++;
      throw new PermanentError('400 bad request');
    });
    await expect(call).rejects.toBeInstanceOf(PermanentError);
    expect(calls).toBe(1);
    expect(guard.breaker.current()).toBe('closed');
  });

  it('fails fast once the breaker opens', async () => {
    const { guard } = dependency({ maxAttempts: 1 });
    let calls = 0;
    const failing = async () => {
      calls++;
      throw new Error('refused');
    };
    for (let index = 0; index < 4; index++) await guard.call(failing).catch(() => {});
    const error = await guard.call(failing).catch((caught: unknown) => caught);
    expect((error as DependencyError).reason).toBe('circuit-open');
    expect(calls).toBe(4);
  });

  it('stops retrying when the budget is spent', async () => {
    const { guard, metrics } = dependency({
      budget: { ratio: 0, minPerSecond: 0.1, windowMs: 10_000 },
      breaker: { failureThreshold: 100, openMs: 1 },
    });
    let calls = 0;
    await guard
      .call(async () => {
        calls++;
        throw new Error('refused');
      })
      .catch(() => {});
    expect(calls).toBe(2);
    const denied = await metrics.dependencyRetries.get();
    expect(denied.values.find((value) => value.labels.outcome === 'denied')?.value).toBe(1);
  });
});
