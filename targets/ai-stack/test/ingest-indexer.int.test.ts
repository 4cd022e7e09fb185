import pg from 'pg';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../lib/dataset.ts';
import { CONSUMER_GROUP, STREAM_KEY } from '../lib/redis.ts';
import { splitMessages } from './support/messages.ts';
import { eventually, postJson, type RunningStack, startStack } from './support/stack.ts';

let stack: RunningStack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.stop();
});

/** Posts messages with a few requests in flight and returns the ids that ingest acknowledged. */
async function postAll(
  messages: Message[],
  onAcknowledged: (count: number) => Promise<void> = async () => {},
): Promise<string[]> {
  const acknowledged: string[] = [];
  const queue = [...messages];
  const worker = async () => {
    for (let message = queue.shift(); message; message = queue.shift()) {
      const response = await postJson(`${stack.url('ingest')}/v1/messages`, message);
      if (response.status === 202 && response.body.acknowledged === true) {
        acknowledged.push(message.id);
        await onAcknowledged(acknowledged.length);
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return acknowledged;
}

async function lookup(ids: string[]): Promise<{ found: string[]; missing: string[] }> {
  const response = await postJson(`${stack.url('gateway')}/v1/documents/lookup`, { ids });
  expect(response.status).toBe(200);
  return response.body as { found: string[]; missing: string[] };
}

async function countRows(): Promise<number> {
  const client = new pg.Client({ connectionString: stack.url('postgres') });
  await client.connect();
  try {
    const result = await client.query<{ count: string }>('SELECT count(*) FROM documents');
    return Number(result.rows[0]?.count);
  } finally {
    await client.end();
  }
}

describe('indexer', () => {
  it('loses no acknowledged message when killed mid-stream', async () => {
    const messages = splitMessages('stream', 400);
    let killedAt: { acknowledged: number; indexed: number } | undefined;

    const acknowledged = await postAll(messages, async (count) => {
      if (count !== 150 || killedAt) return;
      killedAt = { acknowledged: count, indexed: await countRows() };
      const status = await stack.supervise('indexer', 'kill');
      expect(status.state).not.toBe('running');
    });
    expect(killedAt).toBeDefined();
    expect(acknowledged).toHaveLength(400);

    await stack.supervise('indexer', 'start');
    const rows = await eventually('every acknowledged message in PostgreSQL', 60_000, async () => {
      const result = await lookup(acknowledged);
      return result.missing.length === 0 ? countRows() : undefined;
    });
    expect(rows).toBe(acknowledged.length);
  });

  it('claims entries a dead consumer left pending', async () => {
    const messages = splitMessages('stream', 420).slice(400);
    await stack.supervise('indexer', 'stop');
    const acknowledged = await postAll(messages);
    expect(acknowledged).toHaveLength(20);

    // A consumer of another name reads the entries and dies before acknowledging them.
    const ghost = createClient({ url: stack.url('redis') });
    await ghost.connect();
    try {
      const read = await ghost.xReadGroup(
        CONSUMER_GROUP,
        'ghost',
        { key: STREAM_KEY, id: '>' },
        { COUNT: 100 },
      );
      expect((read as { messages: unknown[] }[] | null)?.[0]?.messages).toHaveLength(20);
    } finally {
      await ghost.close();
    }

    await stack.supervise('indexer', 'start');
    const result = await eventually('the claimed entries in PostgreSQL', 40_000, async () => {
      const found = await lookup(acknowledged);
      return found.missing.length === 0 ? found : undefined;
    });
    expect(result.found).toHaveLength(20);
  });

  it('answers a repeated id as a duplicate', async () => {
    const [message] = splitMessages('stream', 1);
    const response = await postJson(`${stack.url('ingest')}/v1/messages`, message);
    expect(response.status).toBe(202);
    expect(response.body.duplicate).toBe(true);
  });
});

describe('ingest', () => {
  it('answers 503 while Redis is down and recovers', async () => {
    const message = {
      id: 'redis-outage-1',
      text: 'Subject: hello\n\nafter the outage',
      label: 'ham',
    };
    await stack.supervise('redis', 'stop');

    const failed = await postJson(`${stack.url('ingest')}/v1/messages`, message);
    expect(failed.status).toBe(503);
    expect(failed.body.retryable).toBe(true);
    expect(String(failed.body.error)).toMatch(/redis/i);
    const readiness = await fetch(`${stack.url('ingest')}/readyz`);
    expect(readiness.status).toBe(503);

    await stack.supervise('redis', 'start');
    const accepted = await eventually('ingest to accept again', 20_000, async () => {
      const response = await postJson(`${stack.url('ingest')}/v1/messages`, message);
      return response.status === 202 ? response : undefined;
    });
    expect(accepted.body).toEqual({ id: message.id, acknowledged: true, duplicate: false });

    const indexed = await eventually('the indexer to index it', 30_000, async () => {
      const result = await lookup([message.id]);
      return result.found.length === 1 ? result : undefined;
    });
    expect(indexed.found).toEqual([message.id]);
  });
});
