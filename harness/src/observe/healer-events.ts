import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { type HealerEvent, healerEventSchema } from '../../../common/src/events.ts';
import { createLogger, type Logger } from '../../../common/src/log.ts';
import { loopbackUrl } from '../load/targets.ts';
import type { Timeline } from './timeline.ts';

/** A healer event placed on the run's timeline. */
export type TimedHealerEvent = HealerEvent & { tMs: number };

export interface HealerEventReaderOptions {
  /** The healer's base URL, such as `http://127.0.0.1:4900`. */
  healerUrl: string;
  token: string;
  timeline: Timeline;
  /** First wait before a reconnect; it doubles on each failure up to `maxReconnectDelayMs`. */
  reconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
  logger?: Logger;
}

/**
 * Parses one line of the event stream. Returns undefined, after logging why, for a line that is
 * not a valid event, so one bad line never stops the reader.
 */
export function parseEventLine(
  line: string,
  runStartMonotonicMs: number,
  logger: Logger,
): TimedHealerEvent | undefined {
  if (line.trim() === '') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (error) {
    logger.warn({ err: error, line: line.slice(0, 200) }, 'healer event line is not JSON, skipped');
    return undefined;
  }
  const parsed = healerEventSchema.safeParse(json);
  if (!parsed.success) {
    const problem = parsed.error.issues[0];
    logger.warn(
      { line: line.slice(0, 200), path: problem?.path.join('.'), problem: problem?.message },
      'invalid healer event, skipped',
    );
    return undefined;
  }
  return { ...parsed.data, tMs: parsed.data.monotonicMs - runStartMonotonicMs };
}

/** Reads a healer's event file (JSON Lines) after the fact, skipping invalid lines. */
export function readHealerEventsFile(
  file: string,
  runStartMonotonicMs: number,
  logger: Logger = createLogger('healer-events'),
): TimedHealerEvent[] {
  const events: TimedHealerEvent[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const event = parseEventLine(line, runStartMonotonicMs, logger);
    if (event) events.push(event);
  }
  return events;
}

/**
 * Follows a healer's event stream (`GET /v1/events?since=<seq>&follow=true`, newline-delimited
 * JSON) and adds each event to the timeline. When the stream drops it reconnects from the last
 * sequence number it saw, so no event is lost or counted twice. Only the constructor throws, on
 * a URL outside loopback. Stream failures are logged and retried until `stop`.
 */
export class HealerEventReader {
  readonly events: TimedHealerEvent[] = [];
  private readonly controller = new AbortController();
  private readonly logger: Logger;
  private readonly baseUrl: URL;
  private lastSeq = 0;
  private loop: Promise<void> | undefined;
  private connections = 0;

  constructor(private readonly options: HealerEventReaderOptions) {
    this.logger = options.logger ?? createLogger('healer-events');
    this.baseUrl = loopbackUrl('healer', options.healerUrl);
  }

  /** Sequence number of the last event received. */
  get seq(): number {
    return this.lastSeq;
  }

  /** How often the reader has connected, the first time included. */
  get connectCount(): number {
    return this.connections;
  }

  start(): void {
    this.loop ??= this.follow();
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.loop;
  }

  private async follow(): Promise<void> {
    const initialDelayMs = this.options.reconnectDelayMs ?? 250;
    let delayMs = initialDelayMs;
    while (!this.controller.signal.aborted) {
      const receivedBefore = this.events.length;
      try {
        await this.readStream();
        this.logger.info({ seq: this.lastSeq }, 'healer event stream ended, reconnecting');
      } catch (error) {
        if (this.controller.signal.aborted) break;
        this.logger.warn(
          { err: error, seq: this.lastSeq, delayMs },
          'healer event stream failed, reconnecting',
        );
      }
      delayMs =
        this.events.length > receivedBefore
          ? initialDelayMs
          : Math.min(delayMs * 2, this.options.maxReconnectDelayMs ?? 5_000);
      await sleep(delayMs, undefined, { signal: this.controller.signal }).catch(() => {});
    }
  }

  private async readStream(): Promise<void> {
    const url = new URL('/v1/events', this.baseUrl);
    url.searchParams.set('since', String(this.lastSeq));
    url.searchParams.set('follow', 'true');
    this.connections++;
    const response = await request(url, {
      headers: { authorization: `Bearer ${this.options.token}`, accept: 'application/x-ndjson' },
      signal: this.controller.signal,
      // TODO: with no idle timeout, a stream that goes silent without closing is never reconnected;
      // add one once the event stream contract defines a heartbeat.
      bodyTimeout: 0,
    });
    if (response.statusCode !== 200) {
      const text = (await response.body.text()).slice(0, 200);
      throw new Error(`GET ${url.pathname} returned HTTP ${response.statusCode}: ${text}`);
    }

    let buffered = '';
    response.body.setEncoding('utf8');
    for await (const chunk of response.body) {
      buffered += chunk as string;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) this.accept(line);
    }
    this.accept(buffered);
  }

  private accept(line: string): void {
    const event = parseEventLine(line, this.options.timeline.runStartMonotonicMs, this.logger);
    // TODO: a healer that restarts and numbers its events from 1 again is ignored until its seq
    // passes the last one seen; detect that once healers can restart during a run.
    if (!event || event.seq <= this.lastSeq) return;
    this.lastSeq = event.seq;
    this.events.push(event);
    this.options.timeline.add({ tMs: event.tMs, source: 'healer', type: event.kind, data: event });
  }
}
