import { existsSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FaultLedger, injectRecorded } from '../src/faults/ledger.ts';
import { createFault, type FaultKindName, faultKinds } from '../src/faults/registry.ts';
import type { InjectResult } from '../src/faults/types.ts';
import { APP_PROXY, type FaultStack, procState, startFaultStack } from './support/fault-stack.ts';

import { median, timedGet } from './support/timed-get.ts';

// Each fault kind must really act on traffic or processes: measured on real Toxiproxy and real processes.

let stack: FaultStack;
let ledger: FaultLedger;
let counter = 0;

beforeAll(async () => {
  stack = await startFaultStack();
});

afterEach(async () => {
  expect(await ledger.revertAll()).toEqual([]);
  expect(await stack.leftovers()).toEqual([]);
});

afterAll(async () => {
  await stack?.stop();
});

async function inject(kind: FaultKindName, target: string, params: Record<string, unknown> = {}) {
  ledger = new FaultLedger();
  counter += 1;
  const fault = createFault(
    {
      name: `effect-${kind}-${counter}`,
      kind,
      target,
      atMs: 0,
      durationMs: 1_000,
      params: faultKinds[kind].paramsSchema.parse(params) as Record<string, unknown>,
    },
    stack.context,
  );
  return await injectRecorded(ledger, fault, new AbortController().signal);
}

async function elapsedTimesMs(path: string, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const outcome = await timedGet(`${stack.proxyUrl}${path}`);
    expect(outcome.errorCode).toBeUndefined();
    times.push(outcome.elapsedMs);
  }
  return times;
}

async function medianElapsedMs(path: string, count: number): Promise<number> {
  return median(await elapsedTimesMs(path, count));
}

function report(line: string) {
  process.stderr.write(`[fault effect] ${line}\n`);
}

describe('edge faults', () => {
  it('latency adds its delay to a request', async () => {
    const baselineMs = await medianElapsedMs('/', 5);
    await inject('latency', APP_PROXY, { latency: '250ms' });
    const faultedTimesMs = await elapsedTimesMs('/', 5);
    const addedMs = median(faultedTimesMs) - baselineMs;
    report(
      `latency 250ms: baseline ${baselineMs.toFixed(1)} ms, with toxic ${median(faultedTimesMs).toFixed(1)} ms, added ${addedMs.toFixed(1)} ms`,
    );

    // The toxic holds every response for the full latency, so no request can be faster than it.
    expect(Math.min(...faultedTimesMs)).toBeGreaterThanOrEqual(250);
    expect(addedMs).toBeGreaterThanOrEqual(225);
    expect(addedMs).toBeLessThan(400);
  });

  it('latency upstream delays requests too', async () => {
    const baselineMs = await medianElapsedMs('/', 3);
    await inject('latency', APP_PROXY, { latency: '150ms', direction: 'upstream' });
    const faultedTimesMs = await elapsedTimesMs('/', 3);
    const addedMs = median(faultedTimesMs) - baselineMs;
    report(`latency 150ms upstream: added ${addedMs.toFixed(1)} ms`);

    expect(Math.min(...faultedTimesMs)).toBeGreaterThanOrEqual(150);
    expect(addedMs).toBeGreaterThanOrEqual(135);
    expect(addedMs).toBeLessThan(300);
  });

  it('reset_peer resets connections', async () => {
    await inject('reset_peer', APP_PROXY, { timeout: '0ms' });
    const outcome = await timedGet(`${stack.proxyUrl}/`);
    report(
      `reset_peer: request ended with ${outcome.errorCode} after ${outcome.elapsedMs.toFixed(1)} ms`,
    );

    expect(outcome.status).toBeUndefined();
    expect(outcome.errorCode).toBe('ECONNRESET');
  });

  it('proxy_down refuses connections', async () => {
    await inject('proxy_down', APP_PROXY);
    const outcome = await timedGet(`${stack.proxyUrl}/`);
    report(`proxy_down: request ended with ${outcome.errorCode}`);

    expect(outcome.errorCode).toBe('ECONNREFUSED');
  });

  it('bandwidth slows a large response', async () => {
    const bytes = 150_000;
    const baselineMs = await medianElapsedMs(`/bytes?n=${bytes}`, 3);
    await inject('bandwidth', APP_PROXY, { rate: 100 });
    const outcome = await timedGet(`${stack.proxyUrl}/bytes?n=${bytes}`);
    const expectedMs = (bytes / 100_000) * 1_000;
    report(
      `bandwidth 100 KB/s: ${bytes} bytes took ${outcome.elapsedMs.toFixed(0)} ms (baseline ${baselineMs.toFixed(1)} ms, expected about ${expectedMs} ms)`,
    );

    expect(outcome.bytes).toBe(bytes);
    expect(outcome.elapsedMs).toBeGreaterThan(expectedMs * 0.8);
    expect(outcome.elapsedMs).toBeLessThan(expectedMs * 2);
  });

  it('limit_data cuts a response', async () => {
    await inject('limit_data', APP_PROXY, { bytes: 1_000 });
    const outcome = await timedGet(`${stack.proxyUrl}/bytes?n=100000`);
    report(
      `limit_data 1000 bytes: received ${outcome.bytes} of 100000 body bytes, ended with ${outcome.errorCode}`,
    );

    expect(outcome.bytes).toBeLessThan(1_000);
    expect(outcome.errorCode).toBeDefined();
  });

  it('timeout holds requests without an answer', async () => {
    await inject('timeout', APP_PROXY, { timeout: '0ms' });
    // With `connection: close` the server's close would end the link; Toxiproxy passes that on.
    const outcome = await timedGet(`${stack.proxyUrl}/`, { timeoutMs: 500, keepAlive: true });
    report(
      `timeout 0ms: request ended with ${outcome.errorCode} after ${outcome.elapsedMs.toFixed(0)} ms`,
    );

    expect(outcome.status).toBeUndefined();
    expect(outcome.errorCode).toBe('TIMEOUT');
  });

  it('toxic is confirmed as Toxiproxy stored it', async () => {
    const result = await inject('slicer', APP_PROXY, {
      average_size: 64,
      size_variation: 8,
      delay: '2ms',
      toxicity: 0.5,
    });
    const stored = (await (
      await fetch(`${stack.endpoints.toxiproxy.url}/proxies/${APP_PROXY}/toxics`)
    ).json()) as unknown[];

    expect(stored).toEqual([result.detail.toxic]);
    expect(result.detail.toxic).toMatchObject({
      type: 'slicer',
      stream: 'downstream',
      toxicity: 0.5,
      attributes: { average_size: 64, size_variation: 8, delay: 2_000 },
    });
  });
});

describe('process faults', () => {
  it('kill leaves the pid dead', async () => {
    const pid = stack.runtime.pid('app') as number;
    const result: InjectResult = await inject('kill', 'app');
    report(`kill: pid ${pid} gone, /proc entry exists: ${existsSync(`/proc/${pid}`)}`);

    expect(result.detail.pid).toBe(pid);
    expect(existsSync(`/proc/${pid}`)).toBe(false);
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
  });

  it('kill with SIGTERM ends the process', async () => {
    const pid = stack.runtime.pid('app') as number;
    await inject('kill', 'app', { signal: 'SIGTERM' });

    expect(existsSync(`/proc/${pid}`)).toBe(false);
  });

  it('pause leaves the process in state T', async () => {
    await inject('pause', 'app');
    const pid = stack.runtime.pid('app') as number;
    const outcome = await timedGet(`${stack.proxyUrl}/`, { timeoutMs: 300 });
    report(
      `pause: /proc/${pid}/stat state ${procState(pid)}, request ended with ${outcome.errorCode}`,
    );

    expect(procState(pid)).toBe('T');
    expect(outcome.errorCode).toBe('TIMEOUT');
  });

  it('stop refuses connections until reverted', async () => {
    await inject('stop', 'app');
    const outcome = await timedGet(`${stack.endpoints.components.app?.url}/`);

    expect(stack.runtime.pid('app')).toBeUndefined();
    expect(outcome.errorCode).toBe('ECONNREFUSED');
  });

  it('restart replaces the process', async () => {
    const pid = stack.runtime.pid('app') as number;
    const result = await inject('restart', 'app');

    expect(result.detail.oldPid).toBe(pid);
    expect(stack.runtime.pid('app')).not.toBe(pid);
    expect(existsSync(`/proc/${pid}`)).toBe(false);
  });
});

describe('model faults', () => {
  it('model_deploy activates the version', async () => {
    const result = await inject('model_deploy', 'model', { version: 'v3-slow' });
    const response = await fetch(`${stack.endpoints.components.model?.url}/admin/model`, {
      headers: { authorization: `Bearer ${stack.endpoints.adminToken}` },
    });

    expect(result.detail).toMatchObject({ version: 'v3-slow', previous: 'v1' });
    expect(await response.json()).toMatchObject({ active: 'v3-slow', previous: 'v1' });
  });

  it('model_deploy rejects an unknown version', async () => {
    await expect(inject('model_deploy', 'model', { version: 'v9' })).rejects.toThrow(
      'model version "v9" is not available on model; available: v1, v2-skew, v3-slow',
    );
  });
});
