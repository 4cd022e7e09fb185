import { describe, expect, it } from 'vitest';
import { DegradedModes } from '../lib/degraded.ts';

function shedCount(modes: DegradedModes, requests: number): number {
  let shed = 0;
  for (let index = 0; index < requests; index++) if (modes.shouldShed()) shed++;
  return shed;
}

describe('DegradedModes', () => {
  it('lists active modes in declared order', () => {
    const modes = new DegradedModes();
    modes.set('shed-load', true);
    modes.set('no-neighbours', true);
    expect(modes.active()).toEqual(['no-neighbours', 'shed-load']);
  });

  it('sheds nothing while shed-load is off', () => {
    expect(shedCount(new DegradedModes(), 100)).toBe(0);
  });

  it('sheds the configured share', () => {
    const modes = new DegradedModes();
    modes.set('shed-load', true, 0.25);
    expect(shedCount(modes, 100)).toBe(25);
  });

  it('sheds everything at ratio one', () => {
    const modes = new DegradedModes();
    modes.set('shed-load', true, 1);
    expect(shedCount(modes, 10)).toBe(10);
  });
});
