import { createLogger } from '../../../common/src/log.ts';
import { EventLog } from '../src/engine/event-log.ts';

export const quietLog = createLogger('healer-test', {});
quietLog.level = 'silent';

/** An in-memory event log with a shortcut to the kinds emitted so far. */
export function memoryEvents() {
  const events = new EventLog(undefined, quietLog);
  const kinds = () => events.since(0).map((event) => event.kind);
  return { events, kinds };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
