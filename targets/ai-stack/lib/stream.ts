import { CONSUMER_GROUP, type Redis, STREAM_KEY } from './redis.ts';

/** One entry of the ingestion stream as the indexer reads it. */
export interface StreamEntry {
  /** Stream entry id, used for XACK. */
  entryId: string;
  fields: Record<string, string> | null;
}

interface RawMessage {
  id: string;
  message: Record<string, string> | null;
}

function flatten(reply: unknown): StreamEntry[] {
  if (!Array.isArray(reply)) return [];
  const entries: StreamEntry[] = [];
  for (const stream of reply as { messages?: RawMessage[] }[]) {
    for (const message of stream.messages ?? [])
      entries.push({ entryId: message.id, fields: message.message });
  }
  return entries;
}

/** Creates the consumer group from the start of the stream; an existing group is kept. */
export async function ensureGroup(redis: Redis): Promise<void> {
  try {
    await redis.xGroupCreate(STREAM_KEY, CONSUMER_GROUP, '0', { MKSTREAM: true });
  } catch (error) {
    if (!String((error as Error).message).includes('BUSYGROUP')) throw error;
  }
}

/**
 * Reads entries for `consumer`: with `from` `>` new entries (blocking up to `blockMs`), with `0`
 * the entries already delivered to this consumer and not yet acknowledged.
 */
export async function readGroup(
  redis: Redis,
  consumer: string,
  from: '>' | '0',
  count: number,
  blockMs: number,
): Promise<StreamEntry[]> {
  const options = from === '>' ? { COUNT: count, BLOCK: blockMs } : { COUNT: count };
  const reply = await redis.xReadGroup(
    CONSUMER_GROUP,
    consumer,
    { key: STREAM_KEY, id: from },
    options,
  );
  return flatten(reply);
}

/** Claims entries that another consumer left pending for at least `minIdleMs`. */
export async function claimStale(
  redis: Redis,
  consumer: string,
  minIdleMs: number,
  cursor: string,
  count: number,
): Promise<{ entries: StreamEntry[]; cursor: string }> {
  const reply = await redis.xAutoClaim(STREAM_KEY, CONSUMER_GROUP, consumer, minIdleMs, cursor, {
    COUNT: count,
  });
  const entries = reply.messages
    .filter((message): message is NonNullable<typeof message> => message !== null)
    .map((message) => ({ entryId: message.id, fields: message.message as Record<string, string> }));
  return { entries, cursor: String(reply.nextId) };
}

export async function acknowledge(redis: Redis, entryIds: string[]): Promise<void> {
  if (entryIds.length > 0) await redis.xAck(STREAM_KEY, CONSUMER_GROUP, entryIds);
}

/** Pending and lag of the consumer group, as `XINFO GROUPS` reports them (lag needs Redis 7). */
export async function groupBacklog(redis: Redis): Promise<{ pending: number; lag: number | null }> {
  const groups = (await redis.xInfoGroups(STREAM_KEY)) as unknown as Record<string, unknown>[];
  const group = groups.find((candidate) => candidate.name === CONSUMER_GROUP);
  if (!group) return { pending: 0, lag: null };
  const lag = group.lag === null || group.lag === undefined ? null : Number(group.lag);
  return { pending: Number(group.pending ?? 0), lag };
}
