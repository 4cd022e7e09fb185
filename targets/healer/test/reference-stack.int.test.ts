import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monotonicNowMs } from '../../../common/src/clock.ts';
import type { HealerEvent } from '../../../common/src/events.ts';
import { EventFollower } from './events-client.ts';

// The healer with the reference policy against the reference stack, started by `rebound stack up`
// on the process runtime (PostgreSQL, Redis, Toxiproxy and five Node services on loopback). The
// test reaches the stack only through its endpoints file and HTTP APIs, never through harness code.
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const quietRunMs = Number(process.env.HEALER_QUIET_MS ?? 60_000);
const token = 'reference-stack-test';
const approvalTimeoutMs = 5_000;

interface Endpoints {
  adminToken: string;
  components: Record<string, { url: string }>;
  supervisor: { url: string; token: string };
  toxiproxy: { url: string };
}

function report(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function waitForFile(file: string, timeoutMs: number, child: ChildProcess): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!existsSync(file)) {
    if (child.exitCode !== null)
      throw new Error(`process exited with ${child.exitCode} before writing ${file}`);
    if (performance.now() > deadline) throw new Error(`${file} not written within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  await once(child, 'exit');
}

describe('healer against the reference stack', () => {
  const runDir = mkdtempSync(join(tmpdir(), 'healer-stack-'));
  let stack: ChildProcess | undefined;
  let healer: ChildProcess | undefined;
  let follower: EventFollower;
  let endpoints: Endpoints;
  let healerUrl = '';

  const supervisorGet = async (name: string) => {
    const response = await fetch(`${endpoints.supervisor.url}/v1/components/${name}`, {
      headers: { authorization: `Bearer ${endpoints.supervisor.token}` },
    });
    return (await response.json()) as { pid: number; starts: number; state: string };
  };
  const post = (url: string, body: unknown, bearer?: string) =>
    fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      },
      body: JSON.stringify(body),
    });
  const detectedOn = (service: string, after: number) => (e: HealerEvent) =>
    e.kind === 'detected' && e.service === service && e.seq > after;

  beforeAll(async () => {
    stack = spawn(process.execPath, ['bin/rebound.js', 'stack', 'up', '--run-dir', runDir], {
      cwd: repoRoot,
      stdio: 'ignore',
    });
    await waitForFile(join(runDir, 'endpoints.json'), 90_000, stack);
    endpoints = JSON.parse(readFileSync(join(runDir, 'endpoints.json'), 'utf8')) as Endpoints;

    const args = [
      '--import',
      'tsx',
      'targets/healer/src/main.ts',
      '--policy',
      'targets/ai-stack/healer-policy.yaml',
    ];
    args.push(
      '--endpoints',
      join(runDir, 'endpoints.json'),
      '--events',
      join(runDir, 'healer-events.jsonl'),
    );
    args.push(
      '--token',
      token,
      '--info-file',
      join(runDir, 'healer.json'),
      '--approval-mode',
      'manual',
      '--approval-timeout',
      `${approvalTimeoutMs}ms`,
    );
    healer = spawn(process.execPath, args, {
      cwd: repoRoot,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, LOG_LEVEL: 'warn' },
    });
    healer.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    await waitForFile(join(runDir, 'healer.json'), 30_000, healer);
    const { url } = JSON.parse(readFileSync(join(runDir, 'healer.json'), 'utf8')) as {
      url: string;
    };
    healerUrl = url;
    follower = new EventFollower(url, token);
    follower.start();
  });

  afterAll(async () => {
    await follower?.stop();
    await stopChild(healer, 'SIGTERM');
    await stopChild(stack, 'SIGINT');
    rmSync(runDir, { recursive: true, force: true });
  });

  it(
    `raises no detection in a quiet ${quietRunMs / 1_000} s run`,
    async () => {
      await new Promise((resolve) => setTimeout(resolve, quietRunMs));
      const detections = follower.events.filter((event) => event.kind === 'detected');
      report(`reference stack quiet run: ${quietRunMs} ms, ${detections.length} detections`);
      expect(detections.map((e) => `${e.service}:${e.signal}`)).toEqual([]);
    },
    quietRunMs + 60_000,
  );

  it('detects a SIGKILLed embedder within 1 s and restarts it', async () => {
    const before = await supervisorGet('embedder');
    const lastSeq = follower.events.length;
    process.kill(before.pid, 'SIGKILL');
    const injectedMs = monotonicNowMs();
    const detected = await follower.waitFor(detectedOn('embedder', lastSeq), 5_000);
    const ttdMs = detected.monotonicMs - injectedMs;
    const recovered = await follower.waitFor(
      (e) => e.kind === 'recovered' && e.incidentId === detected.incidentId,
      20_000,
    );
    report(
      `reference stack SIGKILL embedder: TTD ${ttdMs.toFixed(0)} ms, recovered after ${(recovered.monotonicMs - injectedMs).toFixed(0)} ms`,
    );
    expect(detected.signal).toBe('probe.liveness');
    expect(ttdMs).toBeLessThan(1_000);
    expect((await supervisorGet('embedder')).starts).toBe(before.starts + 1);
  });

  it('detects a SIGSTOPped model within 2 s and restarts it', async () => {
    const before = await supervisorGet('model');
    const lastSeq = follower.events.length;
    process.kill(before.pid, 'SIGSTOP');
    const injectedMs = monotonicNowMs();
    const detected = await follower.waitFor(detectedOn('model', lastSeq), 5_000);
    const ttdMs = detected.monotonicMs - injectedMs;
    const recovered = await follower.waitFor(
      (e) => e.kind === 'recovered' && e.incidentId === detected.incidentId,
      30_000,
    );
    report(
      `reference stack SIGSTOP model: TTD ${ttdMs.toFixed(0)} ms, recovered after ${(recovered.monotonicMs - injectedMs).toFixed(0)} ms`,
    );
    expect(detected.evidence.failure).toBe('timeout');
    expect(ttdMs).toBeLessThan(2_000);
    const after = await supervisorGet('model');
    expect(after.pid).not.toBe(before.pid);
    expect(after.state).toBe('running');
  });

  const modelAdmin = async (path: string, body?: unknown) => {
    const url = `${endpoints.components.model?.url}/admin/${path}`;
    const response =
      body === undefined
        ? await fetch(url, { headers: { authorization: `Bearer ${endpoints.adminToken}` } })
        : await post(url, body, endpoints.adminToken);
    expect(response.status).toBe(200);
    return (await response.json()) as { active: string };
  };

  /** Deploys v2-skew and returns the approval request the canary detection leads to. */
  const deploySkewedModel = async () => {
    const lastSeq = follower.events.length;
    expect((await modelAdmin('deploy', { version: 'v2-skew' })).active).toBe('v2-skew');
    const injectedMs = monotonicNowMs();
    const detected = await follower.waitFor(
      (e) => detectedOn('model', lastSeq)(e) && e.signal.startsWith('canary.'),
      40_000,
    );
    const requested = await follower.waitFor(
      (e) => e.kind === 'approval.requested' && e.seq > lastSeq,
      10_000,
    );
    return { lastSeq, injectedMs, detected, requested };
  };

  /** Puts v1 back by hand, as reverting the fault does, and waits for the incident to close. */
  const restoreModel = async (incidentId: string) => {
    await modelAdmin('deploy', { version: 'v1' });
    await follower.waitFor((e) => e.kind === 'recovered' && e.incidentId === incidentId, 20_000);
  };

  const decide = (approvalId: string, decision: 'grant' | 'deny') =>
    fetch(`${healerUrl}/v1/approvals/${approvalId}/${decision}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ by: 'reference-test' }),
    });

  const rollbackStarted = (lastSeq: number) =>
    follower.events.some(
      (e) => e.kind === 'action.started' && e.action === 'model.rollback' && e.seq > lastSeq,
    );

  // Denial and expiry first: they take no action, so the rollback playbook's 60 s cooldown,
  // which counts from its last action, does not delay the grant test.
  it('leaves the model as it is after a denial', async () => {
    const { lastSeq, detected, requested } = await deploySkewedModel();
    expect((await decide(requested.approvalId as string, 'deny')).status).toBe(200);
    await follower.waitFor((e) => e.kind === 'approval.denied' && e.seq > lastSeq, 5_000);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(rollbackStarted(lastSeq)).toBe(false);
    expect((await modelAdmin('model')).active).toBe('v2-skew');
    await restoreModel(detected.incidentId);
  }, 90_000);

  it('leaves the model as it is when the approval expires', async () => {
    const { lastSeq, detected } = await deploySkewedModel();
    const expired = await follower.waitFor(
      (e) => e.kind === 'approval.expired' && e.seq > lastSeq,
      approvalTimeoutMs + 5_000,
    );
    expect(expired.decidedBy).toBe('timeout');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(rollbackStarted(lastSeq)).toBe(false);
    expect((await modelAdmin('model')).active).toBe('v2-skew');
    await restoreModel(detected.incidentId);
  }, 90_000);

  it('rolls back a skewed model only after approval', async () => {
    const { lastSeq, injectedMs, detected, requested } = await deploySkewedModel();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(rollbackStarted(lastSeq)).toBe(false);

    expect((await decide(requested.approvalId as string, 'grant')).status).toBe(200);
    const granted = await follower.waitFor(
      (e) => e.kind === 'approval.granted' && e.seq > lastSeq,
      5_000,
    );
    const finished = await follower.waitFor(
      (e) => e.kind === 'action.finished' && e.action === 'model.rollback' && e.seq > lastSeq,
      10_000,
    );
    report(
      `reference stack v2-skew deploy: TTD ${(detected.monotonicMs - injectedMs).toFixed(0)} ms via ${detected.signal}, rollback ${finished.outcome}`,
    );
    expect(granted.decidedBy).toBe('http:reference-test');
    expect(finished.outcome).toBe('succeeded');
    expect(finished.monotonicMs).toBeGreaterThan(granted.monotonicMs);
    expect((await modelAdmin('model')).active).toBe('v1');
    await follower.waitFor(
      (e) => e.kind === 'recovered' && e.incidentId === detected.incidentId,
      20_000,
    );
  }, 90_000);

  it('degrades the gateway while the vector store is slow', async () => {
    const lastSeq = follower.events.length;
    const toxics = `${endpoints.toxiproxy.url}/proxies/gateway-to-postgres/toxics`;
    const added = await post(toxics, {
      name: 'healer-test-latency',
      type: 'latency',
      stream: 'downstream',
      attributes: { latency: 400 },
    });
    expect(added.status).toBe(200);
    const injectedMs = monotonicNowMs();
    try {
      const detected = await follower.waitFor(
        (e) => detectedOn('gateway', lastSeq)(e) && e.signal === 'dependency.vector-store.latency',
        15_000,
      );
      const degraded = await follower.waitFor(
        (e) => e.kind === 'action.finished' && e.action === 'degrade' && e.seq > lastSeq,
        10_000,
      );
      report(
        `reference stack vector-store latency 400 ms: TTD ${(detected.monotonicMs - injectedMs).toFixed(0)} ms, degraded ${degraded.outcome}`,
      );
      expect(degraded.evidence).toMatchObject({ mode: 'no-neighbours', enabled: true });

      // The store stays slow, so the gateway stays degraded: no switch back while the fault lasts.
      await new Promise((resolve) => setTimeout(resolve, 10_000));
      const undone = follower.events.filter(
        (e) => e.kind === 'action.started' && e.evidence.undo === true && e.seq > lastSeq,
      );
      expect(undone).toEqual([]);
      const readiness = await fetch(`${endpoints.components.gateway?.url}/readyz`);
      const checks = ((await readiness.json()) as { checks: Record<string, { latencyMs: number }> })
        .checks;
      expect(checks.postgres?.latencyMs).toBeGreaterThanOrEqual(400);
    } finally {
      await fetch(`${toxics}/healer-test-latency`, { method: 'DELETE' });
    }
    const reverted = await follower.waitFor(
      (e) =>
        e.kind === 'action.finished' &&
        e.action === 'degrade' &&
        e.evidence.enabled === false &&
        e.seq > lastSeq,
      30_000,
    );
    expect(reverted.outcome).toBe('succeeded');
    expect(reverted.evidence.reason).toBe('cleared');
  }, 90_000);
});
