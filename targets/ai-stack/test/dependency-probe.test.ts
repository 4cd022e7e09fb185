import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../common/src/log.ts';
import { DependencyProbe } from '../lib/dependency-probe.ts';

const logger = createLogger('dependency-probe-test');
logger.level = 'silent';

function probeWith(delayMs: () => number, fail = () => false) {
  return new DependencyProbe(
    'store',
    async () => {
      await sleep(delayMs());
      if (fail()) throw new Error('connection refused');
    },
    { intervalMs: 20, timeoutMs: 100 },
    logger,
  );
}

describe('dependency probe', () => {
  it('reports the latency of the last check', async () => {
    const probe = probeWith(() => 5);
    probe.start();
    const status = await probe.settled();
    await probe.stop();
    expect(status.ok).toBe(true);
    expect(status.latencyMs).toBeGreaterThanOrEqual(4);
    expect(status.latencyMs).toBeLessThan(50);
  });

  it('counts a check in flight once it is slower', async () => {
    let delayMs = 1;
    const probe = probeWith(() => delayMs);
    probe.start();
    await probe.settled();
    delayMs = 80;
    await sleep(70);
    const midway = probe.latencyMs();
    await probe.stop();
    expect(midway).toBeGreaterThanOrEqual(40);
  });

  it('fails a check that exceeds the timeout', async () => {
    const probe = probeWith(() => 300);
    probe.start();
    const status = await probe.settled();
    await probe.stop();
    expect(status.ok).toBe(false);
    expect(status.error).toBe('timed out after 100 ms');
    expect(status.latencyMs).toBeGreaterThanOrEqual(99);
  });

  it('recovers after a failed check', async () => {
    let failing = true;
    const probe = probeWith(
      () => 1,
      () => failing,
    );
    probe.start();
    expect((await probe.settled()).error).toBe('connection refused');
    failing = false;
    await sleep(60);
    const status = probe.status();
    await probe.stop();
    expect(status.ok).toBe(true);
    expect(status.error).toBeUndefined();
  });
});
