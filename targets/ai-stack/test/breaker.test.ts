import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../lib/resilience/breaker.ts';

function breakerWithClock() {
  const clock = { nowMs: 0 };
  const states: string[] = [];
  const breaker = new CircuitBreaker(
    { failureThreshold: 3, openMs: 1_000 },
    () => clock.nowMs,
    (state) => states.push(state),
  );
  return { breaker, clock, states };
}

describe('CircuitBreaker', () => {
  it('opens after consecutive failures', () => {
    const { breaker, states } = breakerWithClock();
    breaker.recordFailure();
    breaker.recordFailure();
    expect(breaker.tryAcquire()).toBe(true);
    breaker.recordFailure();
    expect(breaker.current()).toBe('open');
    expect(breaker.tryAcquire()).toBe(false);
    expect(states).toEqual(['open']);
  });

  it('resets the count on success', () => {
    const { breaker } = breakerWithClock();
    breaker.recordFailure();
    breaker.recordFailure();
    breaker.recordSuccess();
    breaker.recordFailure();
    breaker.recordFailure();
    expect(breaker.current()).toBe('closed');
  });

  it('allows one trial call after the open period', () => {
    const { breaker, clock } = breakerWithClock();
    for (let index = 0; index < 3; index++) breaker.recordFailure();
    clock.nowMs = 999;
    expect(breaker.tryAcquire()).toBe(false);
    clock.nowMs = 1_000;
    expect(breaker.current()).toBe('half-open');
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(false);
  });

  it('closes when the trial succeeds', () => {
    const { breaker, clock, states } = breakerWithClock();
    for (let index = 0; index < 3; index++) breaker.recordFailure();
    clock.nowMs = 1_000;
    breaker.tryAcquire();
    breaker.recordSuccess();
    expect(breaker.current()).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  it('reopens for a full period when the trial fails', () => {
    const { breaker, clock } = breakerWithClock();
    for (let index = 0; index < 3; index++) breaker.recordFailure();
    clock.nowMs = 1_000;
    breaker.tryAcquire();
    breaker.recordFailure();
    expect(breaker.current()).toBe('open');
    clock.nowMs = 1_999;
    expect(breaker.tryAcquire()).toBe(false);
    clock.nowMs = 2_000;
    expect(breaker.tryAcquire()).toBe(true);
  });
});
