import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monotonicNowMs } from '../../../common/src/clock.ts';
import { healerEventSchema } from '../../../common/src/events.ts';
import { EventFollower } from './events-client.ts';
import { FakeSupervisor } from './fixtures/supervisor.ts';

// Runs the real healer process against tiny services and a stand-in supervisor on loopback.
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const quietRunMs = Number(process.env.HEALER_QUIET_MS ?? 60_000);
const token = 'healer-test-token';

const policy = `
apiVersion: rebound.dev/v1
kind: HealerPolicy
telemetry:
  probeInterval: 500ms
  confirmInterval: 100ms
  liveness: { path: /healthz, timeout: 400ms }
  readiness: { path: /readyz, timeout: 1500ms }
  scrapeInterval: 1s
  canary: { golden: golden.jsonl, via: gateway, service: gateway, interval: 500ms, batchSize: 8, window: 48 }
detectors:
  - { name: liveness, type: probe, failures: 2 }
  - { name: readiness, type: probe, probe: readiness, failures: 4, successes: 2 }
  - name: vector-store-latency
    type: threshold
    services: [gateway]
    source: { probeLatency: readiness, samples: 3 }
    above: 150
    for: 1s
    clearFor: 1s
  - name: classify-latency
    type: ewma
    services: [gateway]
    source: { metric: http_request_duration_seconds, kind: mean, labels: { route: /v1/classify } }
    minStdDev: 0.01
    minValue: 0.2
  - name: classify-errors
    type: burn-rate
    services: [gateway]
    errors: { metric: http_errors_total }
    total: { metric: http_requests_total }
    objective: 0.99
  - { name: canary-accuracy, type: canary-accuracy, drop: 0.15, minSamples: 24 }
  - { name: canary-drift, type: canary-drift, minSamples: 24 }
playbooks:
  - { name: restart-dead, on: [liveness], action: restart, cooldown: 1s, verify: { within: 5s } }
  - name: degrade
    on: [vector-store-latency]
    action: degrade
    target: gateway
    mode: no-neighbours
    maxAttempts: 1
    verify: { within: 3s, detector: classify-latency }
    revert: true
    revertHold: 1s
  - { name: rollback, on: [canary-accuracy], action: model.rollback, target: gateway, maxAttempts: 1, verify: { within: 10s } }
approvals: { mode: manual, timeout: 20s }
`;

function goldenSet(): string {
  return Array.from({ length: 40 }, (_, index) => {
    const label = index % 2 === 0 ? 'spam' : 'ham';
    return JSON.stringify({
      id: `g${index}`,
      text: `${label === 'spam' ? 'spam offer' : 'meeting notes'} ${'x'.repeat(index)}`,
      label,
    });
  }).join('\n');
}

function report(line: string): void {
  process.stdout.write(`${line}\n`);
}

describe('healer against tiny services', () => {
  const runDir = mkdtempSync(join(tmpdir(), 'healer-int-'));
  const supervisor = new FakeSupervisor(['gateway', 'embedder', 'worker']);
  let healer: ChildProcess;
  let follower: EventFollower;
  let healerUrl = '';
  let quietEnd = 0;

  beforeAll(async () => {
    writeFileSync(join(runDir, 'policy.yaml'), policy);
    writeFileSync(join(runDir, 'golden.jsonl'), goldenSet());
    const endpoints = await supervisor.start(runDir);
    const args = [
      '--import',
      'tsx',
      'targets/healer/src/main.ts',
      '--policy',
      join(runDir, 'policy.yaml'),
      '--endpoints',
      endpoints,
    ];
    args.push(
      '--events',
      join(runDir, 'events.jsonl'),
      '--token',
      token,
      '--info-file',
      join(runDir, 'healer.json'),
    );
    healer = spawn(process.execPath, args, {
      cwd: repoRoot,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, LOG_LEVEL: 'warn' },
    });
    healer.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    for (let attempt = 0; attempt < 200 && healerUrl === ''; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      try {
        healerUrl = (
          JSON.parse(readFileSync(join(runDir, 'healer.json'), 'utf8')) as { url: string }
        ).url;
      } catch {}
    }
    follower = new EventFollower(healerUrl, token);
    follower.start();
  });

  afterAll(async () => {
    await follower?.stop();
    if (healer && healer.exitCode === null) {
      healer.kill('SIGTERM');
      await once(healer, 'exit');
    }
    await supervisor.stop();
    rmSync(runDir, { recursive: true, force: true });
  });

  it(
    `raises no detection in a quiet ${quietRunMs / 1_000} s run`,
    async () => {
      await new Promise((resolve) => setTimeout(resolve, quietRunMs));
      quietEnd = follower.events.length;
      const detections = follower.events.filter((event) => event.kind === 'detected');
      report(`quiet run: ${quietRunMs} ms, ${detections.length} detections`);
      expect(detections).toEqual([]);
    },
    quietRunMs + 30_000,
  );

  it('detects a SIGKILLed service within 1 s and restarts it', async () => {
    process.kill(supervisor.pid('embedder'), 'SIGKILL');
    const injectedMs = monotonicNowMs();
    const detected = await follower.waitFor(
      (e) => e.kind === 'detected' && e.service === 'embedder',
      5_000,
    );
    const ttdMs = detected.monotonicMs - injectedMs;
    report(
      `SIGKILL embedder: TTD ${ttdMs.toFixed(0)} ms, failure=${String(detected.evidence.failure)}`,
    );
    expect(detected.signal).toBe('probe.liveness');
    expect(detected.evidence.failure).toBe('refused');
    expect(ttdMs).toBeLessThan(1_000);

    const finished = await follower.waitFor(
      (e) => e.kind === 'action.finished' && e.service === 'embedder',
      5_000,
    );
    expect(finished).toMatchObject({
      action: 'restart',
      outcome: 'succeeded',
      incidentId: detected.incidentId,
    });
    const recovered = await follower.waitFor(
      (e) => e.kind === 'recovered' && e.service === 'embedder',
      5_000,
    );
    report(
      `SIGKILL embedder: restarted, recovered ${(recovered.monotonicMs - injectedMs).toFixed(0)} ms after the kill`,
    );
    expect(supervisor.calls).toContainEqual(
      expect.objectContaining({ component: 'embedder', action: 'restart' }),
    );
  });

  it('detects a SIGSTOPped service within 2 s and restarts it', async () => {
    process.kill(supervisor.pid('worker'), 'SIGSTOP');
    const injectedMs = monotonicNowMs();
    const detected = await follower.waitFor(
      (e) => e.kind === 'detected' && e.service === 'worker',
      5_000,
    );
    const ttdMs = detected.monotonicMs - injectedMs;
    report(
      `SIGSTOP worker: TTD ${ttdMs.toFixed(0)} ms, failure=${String(detected.evidence.failure)}`,
    );
    expect(detected.evidence.failure).toBe('timeout');
    expect(ttdMs).toBeLessThan(2_000);

    const recovered = await follower.waitFor(
      (e) => e.kind === 'recovered' && e.service === 'worker',
      8_000,
    );
    report(
      `SIGSTOP worker: restarted, recovered ${(recovered.monotonicMs - injectedMs).toFixed(0)} ms after the stop`,
    );
  });

  it('degrades the gateway on vector-store latency and switches back', async () => {
    const admin = (path: string, body: unknown) =>
      fetch(`${supervisor.serviceUrl('gateway')}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${supervisor.adminToken}` },
        body: JSON.stringify(body),
      }).then((response) => response.json() as Promise<{ degraded: Record<string, boolean> }>);
    await admin('/admin/test/ready-delay', { ms: 300 });
    const injectedMs = monotonicNowMs();
    const detected = await follower.waitFor(
      (e) => e.kind === 'detected' && e.signal === 'probe.readiness.latency',
      6_000,
    );
    report(`readiness latency 300 ms: TTD ${(detected.monotonicMs - injectedMs).toFixed(0)} ms`);
    await follower.waitFor(
      (e) => e.kind === 'action.finished' && e.action === 'degrade' && e.evidence.enabled === true,
      3_000,
    );
    expect((await admin('/admin/test/state', {})).degraded['no-neighbours']).toBe(true);

    await admin('/admin/test/ready-delay', { ms: 0 });
    await follower.waitFor(
      (e) => e.kind === 'action.finished' && e.action === 'degrade' && e.evidence.enabled === false,
      6_000,
    );
    expect((await admin('/admin/test/state', {})).degraded['no-neighbours']).toBe(false);
  });

  it('rolls back a bad model only after approval from the CLI', async () => {
    await fetch(`${supervisor.serviceUrl('gateway')}/admin/test/deploy`, {
      method: 'POST',
      headers: { authorization: `Bearer ${supervisor.adminToken}` },
      body: JSON.stringify({ version: 'v2' }),
    });
    const injectedMs = monotonicNowMs();
    const requested = await follower.waitFor((e) => e.kind === 'approval.requested', 10_000);
    const detected = follower.events.find(
      (e) => e.kind === 'detected' && e.signal === 'canary.accuracy',
    );
    report(
      `bad model v2: TTD ${((detected?.monotonicMs ?? Number.NaN) - injectedMs).toFixed(0)} ms, accuracy ${String(detected?.evidence.accuracy)}`,
    );
    expect(
      follower.events.some((e) => e.kind === 'action.started' && e.action === 'model.rollback'),
    ).toBe(false);

    const cli = (...argv: string[]) =>
      promisify(execFile)(
        process.execPath,
        ['bin/rebound.js', ...argv, '--info-file', join(runDir, 'healer.json')],
        { cwd: repoRoot },
      );
    const listing = await cli('approvals');
    expect(listing.stdout).toContain(requested.approvalId as string);
    expect(listing.stdout).toContain('model.rollback on gateway');
    await cli('approve', requested.approvalId as string, '--by', 'ada');

    const granted = await follower.waitFor((e) => e.kind === 'approval.granted', 3_000);
    expect(granted.decidedBy).toBe('cli:ada');
    const finished = await follower.waitFor(
      (e) => e.kind === 'action.finished' && e.action === 'model.rollback',
      5_000,
    );
    expect(finished.outcome).toBe('succeeded');
    await follower.waitFor(
      (e) =>
        e.kind === 'recovered' && e.service === 'gateway' && e.monotonicMs > finished.monotonicMs,
      10_000,
    );
  });

  it('streams and stores only valid events', () => {
    const stored = readFileSync(join(runDir, 'events.jsonl'), 'utf8').trim().split('\n');
    expect(stored.length).toBeGreaterThanOrEqual(follower.events.length);
    for (const line of stored) healerEventSchema.parse(JSON.parse(line));
    expect(follower.events.map((event) => event.seq)).toEqual(
      follower.events.map((_, index) => index + 1),
    );
    expect(quietEnd).toBe(0);
  });
});
