import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../../common/src/log.ts';

/**
 * Runs `tick` every `intervalMs` until `signal` aborts. A tick that runs long delays the next one
 * instead of overlapping it, and a tick that throws is logged, so polling never stops on an error.
 */
export async function poll(
  intervalMs: number,
  tick: () => Promise<void>,
  signal: AbortSignal,
  logger: Logger,
): Promise<void> {
  while (!signal.aborted) {
    const startedMs = performance.now();
    try {
      await tick();
    } catch (error) {
      logger.error({ err: error }, 'observer tick failed');
    }
    const waitMs = Math.max(0, intervalMs - (performance.now() - startedMs));
    await sleep(waitMs, undefined, { signal }).catch(() => {});
  }
}
