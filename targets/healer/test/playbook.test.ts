import { describe, expect, it } from 'vitest';
import { PlaybookActivity } from '../src/engine/activity.ts';
import { ApprovalDesk, type PendingApproval } from '../src/engine/approvals.ts';
import { IncidentBoard } from '../src/engine/incidents.ts';
import { backoffMs, Playbook } from '../src/engine/playbook.ts';
import type { PlaybookSpec } from '../src/policy/schema.ts';
import { memoryEvents, quietLog, sleep } from './helpers.ts';

type Act = { atMs: number; undo: boolean };

function spec(overrides: Partial<PlaybookSpec> = {}): PlaybookSpec {
  return {
    name: 'restart-on-crash',
    on: ['crash'],
    action: 'restart',
    cooldown: 0,
    maxAttempts: 3,
    backoff: { initial: 20, factor: 2, max: 1_000 },
    verify: { within: 60 },
    revert: false,
    revertHold: 10,
    deferTo: [],
    deferFor: 0,
    ...overrides,
  };
}

function setup(
  playbookSpec: PlaybookSpec,
  approvalMode: 'auto' | 'deny' | 'manual' = 'auto',
  activity = new PlaybookActivity(Date.now),
) {
  const { events, kinds } = memoryEvents();
  const board = new IncidentBoard(events, Date.now);
  const desk = new ApprovalDesk({ mode: approvalMode, timeout: 100, delay: 10 }, events);
  const actions: Array<{ atMs: number; undo: boolean }> = [];
  let onAct: () => void = () => {};
  const playbook = new Playbook(playbookSpec, {
    events,
    signals: board,
    activity,
    requestApproval: (request, signal) => desk.request(request, signal),
    needsApproval: approvalMode !== 'auto' || playbookSpec.action === 'model.rollback',
    act: async (_target, undo) => {
      actions.push({ atMs: Date.now(), undo });
      onAct();
      return undefined;
    },
    nowMs: Date.now,
    log: quietLog,
  });
  const controller = new AbortController();
  board.onDetection((trigger) => void playbook.handle(trigger, controller.signal));
  const fire = (firing: boolean) =>
    board.update('crash', 'embedder', 'probe.liveness', { firing, evidence: {} });
  const setOnAct = (callback: () => void) => {
    onAct = callback;
  };
  return { events, kinds, board, desk, actions, fire, setOnAct, controller, playbook };
}

function degrade(overrides: Partial<PlaybookSpec> = {}): PlaybookSpec {
  return spec({
    name: 'degrade',
    action: 'degrade',
    mode: 'no-neighbours',
    revert: true,
    maxAttempts: 1,
    ...overrides,
  });
}

describe('playbook', () => {
  it('acts once and stops when the signal clears', async () => {
    const run = setup(spec());
    run.setOnAct(() => setTimeout(() => run.fire(false), 5));
    run.fire(true);
    await sleep(150);
    expect(run.actions).toHaveLength(1);
    expect(run.kinds()).toEqual(['detected', 'action.started', 'action.finished', 'recovered']);
  });

  it('retries with backoff and escalates after max attempts', async () => {
    const run = setup(spec({ maxAttempts: 3 }));
    run.fire(true);
    await sleep(60 * 3 + 20 + 40 + 150);
    expect(run.actions).toHaveLength(3);
    const gaps = [
      (run.actions[1] as Act).atMs - (run.actions[0] as Act).atMs,
      (run.actions[2] as Act).atMs - (run.actions[1] as Act).atMs,
    ];
    // verify window 60 ms, then backoff 20 ms and 40 ms.
    expect(gaps[0]).toBeGreaterThanOrEqual(78);
    expect(gaps[1]).toBeGreaterThanOrEqual(98);
    expect(run.kinds().at(-1)).toBe('escalated');
    const escalated = run.events.since(0).at(-1);
    expect(escalated?.evidence).toMatchObject({ attempts: 3, verifyDetector: 'crash' });
    run.controller.abort();
  });

  it('waits out the cooldown between incidents', async () => {
    const run = setup(spec({ cooldown: 200 }));
    run.setOnAct(() => setTimeout(() => run.fire(false), 5));
    run.fire(true);
    await sleep(30);
    run.fire(true);
    await sleep(100);
    expect(run.actions).toHaveLength(1);
    await sleep(200);
    expect(run.actions).toHaveLength(2);
    expect((run.actions[1] as Act).atMs - (run.actions[0] as Act).atMs).toBeGreaterThanOrEqual(195);
    run.controller.abort();
  });

  it('does nothing when the signal cleared during the cooldown', async () => {
    const run = setup(spec({ cooldown: 100 }));
    run.setOnAct(() => setTimeout(() => run.fire(false), 5));
    run.fire(true);
    await sleep(30);
    run.fire(true);
    await sleep(20);
    run.fire(false);
    await sleep(150);
    expect(run.actions).toHaveLength(1);
  });

  it('reverts a degraded mode once the trigger clears', async () => {
    const run = setup(
      spec({
        action: 'degrade',
        mode: 'no-neighbours',
        revert: true,
        verify: { within: 60, detector: 'crash' },
      }),
    );
    run.setOnAct(() => {
      if (run.actions.length === 1) setTimeout(() => run.fire(false), 20);
    });
    run.fire(true);
    await sleep(100);
    expect(run.actions.map((action) => action.undo)).toEqual([false, true]);
  });

  it('restarts the revert hold after a relapse', async () => {
    const run = setup(degrade({ revertHold: 60, cooldown: 1_000 }));
    run.fire(true);
    await sleep(20);
    run.fire(false);
    await sleep(30);
    run.fire(true);
    await sleep(10);
    run.fire(false);
    await sleep(40);
    expect(run.actions.map((action) => action.undo)).toEqual([false]);
    await sleep(60);
    expect(run.actions.map((action) => action.undo)).toEqual([false, true]);
    run.controller.abort();
  });

  it('reverts after escalation once the signal clears', async () => {
    const run = setup(degrade({ revertHold: 20, verify: { within: 30 } }));
    run.fire(true);
    await sleep(80);
    expect(run.kinds()).toContain('escalated');
    expect(run.actions.map((action) => action.undo)).toEqual([false]);
    run.fire(false);
    await sleep(60);
    expect(run.actions.map((action) => action.undo)).toEqual([false, true]);
    const undo = run.events.since(0).at(-1);
    expect(undo?.evidence).toMatchObject({ undo: true, reason: 'cleared' });
  });

  it('switches the mode off after revertAfter and escalates', async () => {
    const run = setup(degrade({ revertAfter: 50, verify: { within: 500 } }));
    run.fire(true);
    await sleep(100);
    expect(run.actions.map((action) => action.undo)).toEqual([false, true]);
    const escalated = run.events.since(0).find((event) => event.kind === 'escalated');
    expect(escalated?.evidence).toMatchObject({ revertAfterMs: 50 });
    const undo = run.events.since(0).at(-1);
    expect(undo?.evidence).toMatchObject({ undo: true, reason: 'revertAfter' });
    run.controller.abort();
  });

  it('switches a held mode off on shutdown', async () => {
    const run = setup(degrade({ verify: { within: 20 } }));
    run.fire(true);
    await sleep(40);
    run.controller.abort();
    await run.playbook.revertAll();
    expect(run.actions.map((action) => action.undo)).toEqual([false, true]);
    expect(run.events.since(0).at(-1)?.evidence).toMatchObject({ reason: 'shutdown' });
  });

  it('defers to another playbook acting on the target', async () => {
    const activity = new PlaybookActivity(Date.now);
    const run = setup(
      spec({ action: 'shed-load', deferTo: ['degrade'], deferFor: 80 }),
      'auto',
      activity,
    );
    activity.recordAction('degrade');
    run.fire(true);
    await sleep(40);
    expect(run.actions).toHaveLength(0);
    await sleep(80);
    expect(run.actions).toHaveLength(1);
    run.controller.abort();
  });

  it('counts as busy from the detection on', async () => {
    const activity = new PlaybookActivity(Date.now);
    const run = setup(spec({ cooldown: 0 }), 'auto', activity);
    run.fire(true);
    const controller = new AbortController();
    const waited = activity.waitSettled(['restart-on-crash'], 0, controller.signal);
    await sleep(30);
    run.fire(false);
    expect(await waited).toBeGreaterThanOrEqual(20);
  });

  it('drops a deferred action when the signal cleared meanwhile', async () => {
    const activity = new PlaybookActivity(Date.now);
    const run = setup(
      spec({ action: 'shed-load', deferTo: ['degrade'], deferFor: 60 }),
      'auto',
      activity,
    );
    activity.setBusy('degrade', 'embedder', true);
    run.fire(true);
    await sleep(30);
    run.fire(false);
    activity.setBusy('degrade', 'embedder', false);
    await sleep(400);
    expect(run.actions).toHaveLength(0);
  });

  it('computes capped exponential backoff', () => {
    const backoff = { initial: 1_000, factor: 2, max: 5_000 };
    expect([1, 2, 3, 4].map((attempt) => backoffMs(backoff, attempt))).toEqual([
      1_000, 2_000, 4_000, 5_000,
    ]);
  });
});

describe('approvals', () => {
  const rollback = spec({
    name: 'rollback',
    action: 'model.rollback',
    maxAttempts: 1,
    verify: { within: 50 },
  });

  it('acts after an automatic grant and records who decided', async () => {
    const run = setup(rollback, 'auto');
    run.fire(true);
    await sleep(60);
    expect(run.actions).toHaveLength(1);
    const granted = run.events.since(0).find((event) => event.kind === 'approval.granted');
    expect(granted?.decidedBy).toBe('policy:auto');
    expect(granted?.evidence.waitedMs as number).toBeGreaterThanOrEqual(9);
    run.controller.abort();
  });

  it('takes no action when the policy denies', async () => {
    const run = setup(rollback, 'deny');
    run.fire(true);
    await sleep(50);
    expect(run.actions).toHaveLength(0);
    expect(run.kinds()).toEqual(['detected', 'approval.requested', 'approval.denied']);
    expect(run.events.since(0).at(-1)?.decidedBy).toBe('policy:deny');
  });

  it('asks once per incident after a denial', async () => {
    const run = setup(rollback, 'deny');
    run.fire(true);
    await sleep(20);
    run.board.update('drift', 'embedder', 'canary.drift', { firing: true, evidence: {} });
    await sleep(30);
    const requests = run.events.since(0).filter((event) => event.kind === 'approval.requested');
    expect(requests).toHaveLength(1);
    expect(run.actions).toHaveLength(0);
  });

  it('takes no action when a manual request expires', async () => {
    const run = setup(rollback, 'manual');
    run.fire(true);
    await sleep(30);
    expect(run.desk.list()).toHaveLength(1);
    await sleep(120);
    expect(run.actions).toHaveLength(0);
    expect(run.desk.list()).toHaveLength(0);
    const expired = run.events.since(0).at(-1);
    expect(expired?.kind).toBe('approval.expired');
    expect(expired?.decidedBy).toBe('timeout');
  });

  it('acts on a manual grant and rejects a second decision', async () => {
    const run = setup(rollback, 'manual');
    run.fire(true);
    await sleep(10);
    const [pending] = run.desk.list();
    expect(run.desk.decide((pending as PendingApproval).id, 'granted', 'cli:ada')).toBe(true);
    expect(run.desk.decide((pending as PendingApproval).id, 'denied', 'cli:bob')).toBe(false);
    await sleep(20);
    expect(run.actions).toHaveLength(1);
    const granted = run.events.since(0).find((event) => event.kind === 'approval.granted');
    expect(granted?.decidedBy).toBe('cli:ada');
    expect(granted?.approvalId).toBe((pending as PendingApproval).id);
    run.controller.abort();
  });

  it('takes no action on a manual deny', async () => {
    const run = setup(rollback, 'manual');
    run.fire(true);
    await sleep(10);
    run.desk.decide((run.desk.list()[0] as PendingApproval).id, 'denied', 'http:ops');
    await sleep(30);
    expect(run.actions).toHaveLength(0);
    expect(run.events.since(0).at(-1)?.decidedBy).toBe('http:ops');
  });
});
