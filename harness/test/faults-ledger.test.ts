import { describe, expect, it } from 'vitest';
import { guardFault, sleep } from '../src/faults/guard.ts';
import { FaultLedger, injectRecorded } from '../src/faults/ledger.ts';

describe('FaultLedger', () => {
  it('reverts newest first', async () => {
    const ledger = new FaultLedger();
    const order: string[] = [];
    for (const name of ['a', 'b', 'c']) ledger.record(name, async () => void order.push(name));

    expect(await ledger.revertAll()).toEqual([]);
    expect(order).toEqual(['c', 'b', 'a']);
    expect(ledger.activeFaults()).toEqual([]);
  });

  it('attempts every revert when one throws', async () => {
    const ledger = new FaultLedger();
    const order: string[] = [];
    ledger.record('a', async () => void order.push('a'));
    ledger.record('b', async () => {
      throw new Error('Toxiproxy unreachable');
    });
    ledger.record('c', async () => void order.push('c'));

    const failures = await ledger.revertAll();

    expect(order).toEqual(['c', 'a']);
    expect(failures).toEqual([{ fault: 'b', error: new Error('Toxiproxy unreachable') }]);
    expect(ledger.activeFaults()).toEqual(['b']);
  });

  it('retries a failed revert on the next call', async () => {
    const ledger = new FaultLedger();
    let attempts = 0;
    ledger.record('flaky', async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('first attempt fails');
    });

    expect(await ledger.revertAll()).toHaveLength(1);
    expect(await ledger.revertAll()).toEqual([]);
    expect(attempts).toBe(2);
    expect(ledger.activeFaults()).toEqual([]);
  });

  it('runs each revert once when called twice', async () => {
    const ledger = new FaultLedger();
    let runs = 0;
    ledger.record('slow', async () => {
      runs += 1;
      await sleep(20);
    });

    const [first, second] = await Promise.all([ledger.revertAll(), ledger.revertAll()]);
    await ledger.revertAll();

    expect(first).toEqual([]);
    expect(second).toEqual([]);
    expect(runs).toBe(1);
  });

  it('reverts one fault by name', async () => {
    const ledger = new FaultLedger();
    ledger.record('a', async () => {});
    ledger.record('b', async () => {});

    expect(await ledger.revert('a')).toBeUndefined();
    expect(await ledger.revert('missing')).toBeUndefined();
    expect(ledger.activeFaults()).toEqual(['b']);
  });

  it('rejects a duplicate name', () => {
    const ledger = new FaultLedger();
    ledger.record('kill-model', async () => {});

    expect(() => ledger.record('kill-model', async () => {})).toThrow(
      'fault "kill-model" is already in the ledger: fault names must be unique',
    );
  });
});

describe('guardFault', () => {
  const spec = { name: 'f', kind: 'latency', target: 'a-to-b' };

  it('records the revert before inject runs', async () => {
    const ledger = new FaultLedger();
    const fault = guardFault(spec, {
      apply: async () => {
        expect(ledger.activeFaults()).toEqual(['f']);
        throw new Error('apply failed');
      },
      undo: async () => {},
    });

    await expect(injectRecorded(ledger, fault, new AbortController().signal)).rejects.toThrow(
      'apply failed',
    );
    expect(ledger.activeFaults()).toEqual(['f']);
  });

  it('waits for an apply in flight before undoing', async () => {
    const events: string[] = [];
    const controller = new AbortController();
    const fault = guardFault(spec, {
      apply: async (signal) => {
        await sleep(30);
        events.push('applied');
        signal.throwIfAborted();
        return { injectedAtMs: 0, detail: {} };
      },
      undo: async () => void events.push('undone'),
    });

    const injecting = fault.inject(controller.signal);
    controller.abort();
    await fault.revert();

    await expect(injecting).rejects.toMatchObject({ name: 'AbortError' });
    expect(events).toEqual(['applied', 'undone']);
  });
});
