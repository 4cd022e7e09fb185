import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi } from '../src/api/server.ts';
import { ApprovalDesk } from '../src/engine/approvals.ts';
import { EventFollower } from './events-client.ts';
import { memoryEvents, quietLog, sleep } from './helpers.ts';

describe('healer API', () => {
  const { events } = memoryEvents();
  const desk = new ApprovalDesk({ mode: 'manual', timeout: 5_000, delay: 0 }, events);
  let server: Server;
  let url = '';
  const auth = { authorization: 'Bearer secret' };
  const emitDetected = () =>
    events.emit({
      kind: 'detected',
      service: 'gateway',
      signal: 'probe.liveness',
      incidentId: 'i1',
      evidence: {},
    });

  beforeAll(async () => {
    ({ server, url } = await startApi({
      port: 0,
      token: 'secret',
      events,
      approvals: desk,
      log: quietLog,
      heartbeatMs: 50,
    }));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('serves healthz without a token', async () => {
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it('rejects a missing or wrong token', async () => {
    expect((await fetch(`${url}/v1/approvals`)).status).toBe(401);
    expect(
      (await fetch(`${url}/v1/approvals`, { headers: { authorization: 'Bearer nope' } })).status,
    ).toBe(401);
  });

  it('replays events after since', async () => {
    emitDetected();
    emitDetected();
    const text = await (await fetch(`${url}/v1/events?since=1`, { headers: auth })).text();
    const seqs = text
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { seq: number }).seq);
    expect(seqs).toEqual([2]);
  });

  it('rejects an invalid since', async () => {
    const response = await fetch(`${url}/v1/events?since=-3`, { headers: auth });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(/invalid since "-3"/);
  });

  it('follows new events across heartbeats', async () => {
    const follower = new EventFollower(url, 'secret');
    follower.start();
    await sleep(120);
    emitDetected();
    const event = await follower.waitFor((e) => e.seq === 3, 1_000);
    expect(event.kind).toBe('detected');
    expect(follower.events.map((e) => e.seq)).toEqual([1, 2, 3]);
    await follower.stop();
  });

  it('grants a pending approval with who decided', async () => {
    const decision = desk.request({
      service: 'model',
      signal: 'canary.accuracy',
      incidentId: 'i2',
      action: 'model.rollback',
      evidence: {},
    });
    const listed = (await (await fetch(`${url}/v1/approvals`, { headers: auth })).json()) as {
      approvals: Array<{ id: string }>;
    };
    const id = listed.approvals[0]?.id as string;
    const response = await fetch(`${url}/v1/approvals/${id}/grant`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ by: 'ops' }),
    });
    expect(await response.json()).toEqual({ id, decision: 'granted', decidedBy: 'http:ops' });
    expect(await decision).toBe('granted');
  });

  it('returns 404 for an unknown approval and 400 without by', async () => {
    const unknown = await fetch(`${url}/v1/approvals/nope/deny`, {
      method: 'POST',
      headers: auth,
      body: '{"by":"cli:ada"}',
    });
    expect(unknown.status).toBe(404);
    const missing = await fetch(`${url}/v1/approvals/nope/deny`, {
      method: 'POST',
      headers: auth,
      body: '{}',
    });
    expect(missing.status).toBe(400);
  });
});
