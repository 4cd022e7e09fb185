import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { Toxiproxy } from 'toxiproxy-node-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTopology } from '../../common/src/topology.ts';
import { ProcessRuntime } from '../src/runtime/index.ts';
import { probeRedis } from '../src/runtime/process/probes.ts';
import { isStopped, readProcStat } from '../src/runtime/process/proc.ts';
import type { StackEndpoints } from '../src/runtime/types.ts';
import {
  fixtureTopology,
  listenAddresses,
  livePids,
  openPorts,
  removeScratchDirs,
  scratchDir,
  stackPorts,
} from './fixtures/runtime-stack/support.ts';

// Starts real PostgreSQL, Redis, Toxiproxy and a Node service on loopback.
let runtime: ProcessRuntime;
let endpoints: StackEndpoints;
const seenPids = new Set<number>();
const runDir = scratchDir('runtime-run');

function rememberPids(): void {
  for (const name of runtime.componentNames()) {
    const pid = runtime.pid(name);
    if (pid !== undefined) seenPids.add(pid);
  }
}

async function query<T>(sql: string, url = endpoints.components.store?.url): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

async function getJson(path: string, timeoutMs = 2_000): Promise<Record<string, unknown>> {
  const response = await fetch(`${endpoints.components.echo?.url}${path}`, {
    signal: AbortSignal.timeout(timeoutMs),
  });
  return (await response.json()) as Record<string, unknown>;
}

beforeAll(async () => {
  runtime = new ProcessRuntime({ stateDir: scratchDir('runtime-state'), handleSignals: false });
  endpoints = await runtime.start(loadTopology(fixtureTopology), { runDir });
  rememberPids();
});

afterAll(async () => {
  await runtime?.stop();
  removeScratchDirs();
});

describe('process runtime', () => {
  it('writes the endpoints file', () => {
    const written = JSON.parse(readFileSync(join(runDir, 'endpoints.json'), 'utf8'));
    expect(written).toEqual(endpoints);
    expect(Object.keys(written.proxies)).toEqual(['echo-to-store', 'echo-to-queue']);
  });

  it('runs a KNN query on cube', async () => {
    await query('CREATE TABLE points (id int, v cube)');
    await query(
      'INSERT INTO points VALUES (1, cube(array[0,0])), (2, cube(array[5,5])), (3, cube(array[1,1]))',
    );
    const rows = await query<{ id: number }>(
      'SELECT id FROM points ORDER BY v <-> cube(array[0.9,0.9]) LIMIT 2',
    );
    expect(rows.map((row) => row.id)).toEqual([3, 1]);
  });

  it('gives the service its environment', async () => {
    const env = await getJson('/env');
    expect(env).toMatchObject({
      port: String(endpoints.components.echo?.port),
      host: '127.0.0.1',
      serviceName: 'echo',
      adminToken: endpoints.adminToken,
      runDir,
      greetingFile: join(new URL('.', `file://${fixtureTopology}`).pathname, 'greeting.txt'),
      databaseUrl: `postgres://rebound@${endpoints.proxies['echo-to-store']?.listen}/vectors`,
      redisUrl: `redis://${endpoints.proxies['echo-to-queue']?.listen}`,
    });
  });

  it('routes the service through Toxiproxy', async () => {
    expect(await getJson('/db')).toEqual({ database: 'vectors' });
    expect(await getJson('/redis')).toEqual({ reply: '+PONG' });
    const proxies = await new Toxiproxy(endpoints.toxiproxy.url).getAll();
    expect(Object.keys(proxies).sort()).toEqual(['echo-to-queue', 'echo-to-store']);
  });

  it('listens only on 127.0.0.1', () => {
    for (const port of stackPorts(endpoints)) {
      // /proc/net/tcp stores 127.0.0.1 as the little-endian hex 0100007F.
      expect({ port, addresses: listenAddresses(port) }).toEqual({ port, addresses: ['0100007F'] });
    }
  });

  it('writes each process log', () => {
    for (const name of ['store', 'queue', 'echo', 'toxiproxy']) {
      expect(existsSync(join(runDir, 'logs', `${name}.log`))).toBe(true);
    }
  });

  it('pauses and resumes a service', async () => {
    const pid = runtime.pid('echo') as number;
    await runtime.pause('echo');
    expect(readProcStat(pid)?.state).toBe('T');
    expect((await runtime.status()).find((s) => s.name === 'echo')?.state).toBe('paused');
    await expect(getJson('/healthz', 500)).rejects.toThrow();

    await runtime.resume('echo');
    expect(isStopped(pid)).toBe(false);
    expect(await getJson('/healthz')).toEqual({ ok: true });
  });

  it('kills redis and starts it again', async () => {
    const pid = runtime.pid('queue') as number;
    await runtime.kill('queue', 'SIGKILL');
    expect(readProcStat(pid)).toBeUndefined();
    const killed = (await runtime.status()).find((s) => s.name === 'queue');
    expect(killed).toMatchObject({ state: 'exited', pid: undefined, exitSignal: 'SIGKILL' });
    await expect(probeRedis(endpoints.components.queue?.port as number)).rejects.toThrow();

    await runtime.startComponent('queue');
    rememberPids();
    expect(runtime.pid('queue')).not.toBe(pid);
    await expect(probeRedis(endpoints.components.queue?.port as number)).resolves.toBeUndefined();
    expect((await runtime.status()).find((s) => s.name === 'queue')).toMatchObject({
      state: 'running',
      starts: 2,
    });
  });

  it('restarts postgres and keeps its data', async () => {
    const pid = runtime.pid('store');
    await runtime.restart('store');
    rememberPids();
    expect(runtime.pid('store')).not.toBe(pid);
    const rows = await query<{ count: string }>('SELECT count(*) FROM points');
    expect(rows[0]?.count).toBe('3');
  });

  it('reports stopped components and health', async () => {
    await runtime.stopComponent('echo');
    expect((await runtime.status()).find((s) => s.name === 'echo')?.state).toBe('stopped');
    await expect(runtime.waitHealthy(300)).rejects.toThrow(/echo/);
    await runtime.startComponent('echo');
    rememberPids();
    await expect(runtime.waitHealthy(5_000)).resolves.toBeUndefined();
  });

  it('rejects operations on unknown components', async () => {
    await expect(runtime.kill('nope')).rejects.toThrow(
      'unknown component "nope"; components: store, queue, echo',
    );
  });
});

describe('supervisor API on a real stack', () => {
  const call = (path: string, init: RequestInit = {}, token = endpoints.supervisor.token) =>
    fetch(`${endpoints.supervisor.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}` },
    });

  it('requires the token', async () => {
    expect((await call('/v1/components', {}, '')).status).toBe(401);
    expect((await call('/v1/components/echo/kill', { method: 'POST' }, 'x')).status).toBe(401);
    expect(runtime.pid('echo')).toBeDefined();
  });

  it('restarts a component', async () => {
    const before = runtime.pid('echo');
    const response = await call('/v1/components/echo/restart', { method: 'POST' });
    rememberPids();
    const body = (await response.json()) as { state: string; pid: number; starts: number };
    expect(response.status).toBe(200);
    expect(body.state).toBe('running');
    expect(body.pid).not.toBe(before);
    expect(body.pid).toBe(runtime.pid('echo'));
    expect(await getJson('/healthz')).toEqual({ ok: true });
  });

  it('kills with the requested signal', async () => {
    const response = await call('/v1/components/queue/kill', {
      method: 'POST',
      body: JSON.stringify({ signal: 'SIGTERM' }),
    });
    expect(await response.json()).toMatchObject({ state: 'exited', exitCode: 0 });
    const started = await call('/v1/components/queue/start', { method: 'POST' });
    rememberPids();
    expect(await started.json()).toMatchObject({ state: 'running' });
  });
});

describe('teardown', () => {
  it('leaves no process and no open port', async () => {
    const ports = stackPorts(endpoints);
    expect((await openPorts(ports)).length).toBe(ports.length);

    await runtime.stop();
    await runtime.stop();

    expect(livePids([...seenPids])).toEqual([]);
    expect(await openPorts(ports)).toEqual([]);
    expect(existsSync(join(runDir, 'data'))).toBe(false);
  });
});
