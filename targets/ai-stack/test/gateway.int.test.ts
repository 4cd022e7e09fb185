import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../lib/dataset.ts';
import { splitMessages } from './support/messages.ts';
import { eventually, postJson, type RunningStack, startStack } from './support/stack.ts';

let stack: RunningStack;
let admin: Record<string, string>;

beforeAll(async () => {
  stack = await startStack();
  admin = { authorization: `Bearer ${stack.endpoints.adminToken}` };
  const seeded = splitMessages('stream', 40);
  for (const message of seeded) await postJson(`${stack.url('ingest')}/v1/messages`, message);
  await eventually('the seed messages to be indexed', 30_000, async () => {
    const response = await postJson(`${stack.url('gateway')}/v1/documents/lookup`, {
      ids: seeded.map((message) => message.id),
    });
    return (response.body.missing as string[]).length === 0 ? true : undefined;
  });
});

afterAll(async () => {
  await stack?.stop();
});

function classify(text: string) {
  return postJson(`${stack.url('gateway')}/v1/classify`, { text });
}

async function setMode(mode: string, enabled: boolean, ratio?: number): Promise<void> {
  const response = await postJson(
    `${stack.url('gateway')}/admin/degraded`,
    { mode, enabled, ratio },
    admin,
  );
  expect(response.status).toBe(200);
}

/** Classifies messages through the gateway; returns the accuracy and the median latency. */
async function measure(
  messages: Message[],
): Promise<{ accuracy: number; medianMs: number; versions: Set<unknown> }> {
  let correct = 0;
  const latencies: number[] = [];
  const versions = new Set<unknown>();
  for (const message of messages) {
    const started = performance.now();
    const response = await classify(message.text);
    latencies.push(performance.now() - started);
    expect(response.status).toBe(200);
    versions.add(response.body.modelVersion);
    if (response.body.label === message.label) correct++;
  }
  latencies.sort((a, b) => a - b);
  return {
    accuracy: correct / messages.length,
    medianMs: latencies[latencies.length >> 1] as number,
    versions,
  };
}

describe('classify', () => {
  it('answers with neighbours from the vector store', async () => {
    const response = await classify('Subject: meeting notes\n\nsee you at the review');
    expect(response.status).toBe(200);
    expect(response.body.neighbours).toHaveLength(5);
    expect(response.body.degraded).toEqual([]);
    expect(response.body.modelVersion).toBe('v1');
  });

  it('answers without the vector store in no-neighbours mode', async () => {
    await stack.setProxyEnabled('gateway-to-postgres', false);
    try {
      const failed = await classify('Subject: hello\n\nare we still on for friday');
      expect(failed.status).toBe(503);
      expect(failed.body.dependency).toBe('postgres');

      await setMode('no-neighbours', true);
      const degraded = await classify('Subject: hello\n\nare we still on for friday');
      expect(degraded.status).toBe(200);
      expect(degraded.body.degraded).toEqual(['no-neighbours']);
      expect(degraded.body.neighbours).toEqual([]);
      expect(['spam', 'ham']).toContain(degraded.body.label);
    } finally {
      await stack.setProxyEnabled('gateway-to-postgres', true);
      await setMode('no-neighbours', false);
    }
  });

  it('sheds the configured share of requests', async () => {
    await setMode('shed-load', true, 0.5);
    try {
      const statuses: number[] = [];
      for (let index = 0; index < 10; index++)
        statuses.push((await classify('Subject: hi\n\nhello')).status);
      expect(statuses.filter((status) => status === 503)).toHaveLength(5);
      expect(statuses.filter((status) => status === 200)).toHaveLength(5);
    } finally {
      await setMode('shed-load', false);
    }
  });
});

describe('model deploys', () => {
  it('loses accuracy on v2-skew while probes stay healthy', async () => {
    const golden = splitMessages('golden', 150);
    const good = await measure(golden);
    const deployed = await postJson(
      `${stack.url('model')}/admin/deploy`,
      { version: 'v2-skew' },
      admin,
    );
    expect(deployed.body.active).toBe('v2-skew');
    try {
      for (const probe of ['/healthz', '/readyz']) {
        expect((await fetch(`${stack.url('model')}${probe}`)).status).toBe(200);
        expect((await fetch(`${stack.url('gateway')}${probe}`)).status).toBe(200);
      }
      const skewed = await measure(golden);
      expect(skewed.versions).toEqual(new Set(['v2-skew']));
      expect(good.accuracy).toBeGreaterThan(0.88);
      expect(good.accuracy - skewed.accuracy).toBeGreaterThanOrEqual(0.15);
      expect(skewed.medianMs).toBeLessThan(Math.max(3 * good.medianMs, 50));

      await setMode('previous-model', true);
      const fallback = await classify(golden[0]?.text ?? '');
      expect(fallback.body.modelVersion).toBe('v1');
      expect(fallback.body.degraded).toEqual(['previous-model']);
    } finally {
      await setMode('previous-model', false);
      await postJson(`${stack.url('model')}/admin/rollback`, {}, admin);
    }
    const state = await fetch(`${stack.url('model')}/admin/model`, { headers: admin });
    expect(await state.json()).toMatchObject({
      active: 'v1',
      previous: 'v2-skew',
      available: ['v1', 'v2-skew'],
    });
  });
});

describe('admin endpoints', () => {
  const endpoints = [
    ['embedder', 'POST', '/admin/cache/clear'],
    ['model', 'GET', '/admin/model'],
    ['model', 'POST', '/admin/deploy'],
    ['model', 'POST', '/admin/rollback'],
    ['gateway', 'GET', '/admin/degraded'],
    ['gateway', 'POST', '/admin/degraded'],
  ] as const;

  for (const [component, method, path] of endpoints) {
    it(`${component} ${method} ${path} rejects missing and wrong tokens`, async () => {
      const send = (headers: Record<string, string>) =>
        fetch(`${stack.url(component)}${path}`, {
          method,
          headers,
          body: method === 'POST' ? '{}' : undefined,
        });
      expect((await send({})).status).toBe(401);
      expect((await send({ authorization: 'Bearer wrong-token' })).status).toBe(401);
      expect((await send({ authorization: stack.endpoints.adminToken })).status).toBe(401);
      expect((await send(admin)).status).not.toBe(401);
    });
  }
});
