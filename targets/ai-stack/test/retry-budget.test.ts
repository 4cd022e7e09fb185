import { describe, expect, it } from 'vitest';
import { RetryBudget } from '../lib/resilience/retry-budget.ts';

function budgetWithClock(minPerSecond = 0) {
  const clock = { nowMs: 0 };
  const budget = new RetryBudget({ ratio: 0.2, minPerSecond, windowMs: 10_000 }, () => clock.nowMs);
  return { budget, clock };
}

function retriesAllowed(budget: RetryBudget, attempts: number): number {
  let allowed = 0;
  for (let index = 0; index < attempts; index++) if (budget.tryRetry()) allowed++;
  return allowed;
}

describe('RetryBudget', () => {
  it('allows retries in proportion to requests', () => {
    const { budget } = budgetWithClock();
    for (let index = 0; index < 50; index++) budget.recordRequest();
    expect(retriesAllowed(budget, 100)).toBe(10);
  });

  it('denies retries without requests or floor', () => {
    const { budget } = budgetWithClock();
    expect(budget.tryRetry()).toBe(false);
  });

  it('grants the floor to a quiet caller', () => {
    const { budget } = budgetWithClock(1);
    expect(retriesAllowed(budget, 100)).toBe(10);
  });

  it('forgets requests that left the window', () => {
    const { budget, clock } = budgetWithClock();
    for (let index = 0; index < 50; index++) budget.recordRequest();
    clock.nowMs = 10_000;
    expect(budget.tryRetry()).toBe(false);
  });

  it('frees spent retries as the window slides', () => {
    const { budget, clock } = budgetWithClock();
    for (let index = 0; index < 10; index++) budget.recordRequest();
    expect(retriesAllowed(budget, 5)).toBe(2);
    clock.nowMs = 5_000;
    for (let index = 0; index < 10; index++) budget.recordRequest();
    expect(retriesAllowed(budget, 5)).toBe(2);
    clock.nowMs = 10_000;
    expect(budget.available()).toBeCloseTo(0, 10);
    clock.nowMs = 15_000;
    expect(budget.available()).toBe(0);
  });
});
