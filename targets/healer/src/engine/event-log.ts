import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { monotonicNowMs } from '../../../../common/src/clock.ts';
import {
  HEALER_EVENT_SCHEMA_VERSION,
  type HealerEvent,
  healerEventSchema,
} from '../../../../common/src/events.ts';
import type { Logger } from '../../../../common/src/log.ts';

export type EventInput = Omit<HealerEvent, 'schemaVersion' | 'seq' | 'monotonicMs' | 'wallTime'>;
type Listener = (event: HealerEvent) => void;

/**
 * The healer's event stream for one run, held in memory and appended to a JSONL file. Every event
 * is validated against the shared contract before anyone sees it.
 */
export class EventLog {
  private readonly events: HealerEvent[] = [];
  private readonly listeners = new Set<Listener>();

  constructor(
    private readonly file: string | undefined,
    private readonly log: Logger,
  ) {
    if (file !== undefined) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, '');
    }
  }

  emit(input: EventInput): HealerEvent {
    const event = healerEventSchema.parse({
      ...input,
      schemaVersion: HEALER_EVENT_SCHEMA_VERSION,
      seq: this.events.length + 1,
      monotonicMs: monotonicNowMs(),
      wallTime: new Date().toISOString(),
    });
    this.events.push(event);
    if (this.file !== undefined) appendFileSync(this.file, `${JSON.stringify(event)}\n`);
    this.log.info(
      {
        event: event.kind,
        service: event.service,
        signal: event.signal,
        incidentId: event.incidentId,
        action: event.action,
      },
      'event',
    );
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.log.error({ err: error, seq: event.seq }, 'event listener failed');
      }
    }
    return event;
  }

  /** Events with a sequence number above `seq`. */
  since(seq: number): HealerEvent[] {
    return this.events.slice(Math.max(0, seq));
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
