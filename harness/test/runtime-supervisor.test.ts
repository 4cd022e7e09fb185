import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RuntimeFailure } from '../src/errors.ts';
import {
  type Supervised,
  type Supervisor,
  startSupervisor,
} from '../src/runtime/process/supervisor.ts';
import type { ComponentStatus } from '../src/runtime/types.ts';

/** Records calls instead of touching processes; the real runtime is covered by runtime.int.test.ts. */
function fakeRuntime(calls: string[]): Supervised {
  const status = (name: string): ComponentStatus => ({
    name,
    state: 'running',
    pid: 42,
    starts: 1,
  });
  const record = (action: string) => async (name: string, signal?: string) => {
    if (name === 'stuck') {
      throw new RuntimeFailure('stuck is stopped, not running', { code: 'E_COMPONENT_STATE' });
    }
    calls.push([action, name, signal].filter(Boolean).join(' '));
  };
  return {
    componentNames: () => ['api', 'stuck'],
    componentStatus: status,
    status: async () => [status('api'), status('stuck')],
    kill: record('kill'),
    pause: record('pause'),
    resume: record('resume'),
    stopComponent: record('stop'),
    startComponent: record('start'),
    restart: record('restart'),
  };
}

let supervisor: Supervisor;
let calls: string[];

beforeEach(async () => {
  calls = [];
  supervisor = await startSupervisor(fakeRuntime(calls));
});

afterEach(() => supervisor.close());

function call(path: string, init: RequestInit = {}, token = supervisor.token) {
  return fetch(`${supervisor.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, ...init.headers },
  });
}

describe('supervisor API', () => {
  it('listens on loopback', () => {
    expect(new URL(supervisor.url).hostname).toBe('127.0.0.1');
  });

  it('rejects requests without the token', async () => {
    const response = await fetch(`${supervisor.url}/v1/components`);
    expect(response.status).toBe(401);
    expect(calls).toEqual([]);
  });

  it('rejects a wrong token', async () => {
    const response = await call('/v1/components/api/kill', { method: 'POST' }, 'wrong');
    expect(response.status).toBe(401);
    expect(calls).toEqual([]);
  });

  it('lists components', async () => {
    const body = (await (await call('/v1/components')).json()) as { components: ComponentStatus[] };
    expect(body.components.map((component) => component.name)).toEqual(['api', 'stuck']);
  });

  it('answers unknown names with the known ones', async () => {
    const response = await call('/v1/components/nope/restart', { method: 'POST' });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: 'unknown component "nope"',
      components: ['api', 'stuck'],
    });
  });

  it('kills with the signal from the body', async () => {
    const response = await call('/v1/components/api/kill', {
      method: 'POST',
      body: JSON.stringify({ signal: 'SIGTERM' }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ name: 'api', state: 'running' });
    expect(calls).toEqual(['kill api SIGTERM']);
  });

  it('kills with SIGKILL when the body is empty', async () => {
    await call('/v1/components/api/kill', { method: 'POST' });
    expect(calls).toEqual(['kill api SIGKILL']);
  });

  it('rejects an invalid signal', async () => {
    const response = await call('/v1/components/api/kill', {
      method: 'POST',
      body: '{"signal":"SIGNOPE"}',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toContain('invalid signal');
    expect(calls).toEqual([]);
  });

  it('maps each action to its operation', async () => {
    for (const action of ['pause', 'resume', 'stop', 'start', 'restart']) {
      expect((await call(`/v1/components/api/${action}`, { method: 'POST' })).status).toBe(200);
    }
    expect(calls).toEqual(['pause api', 'resume api', 'stop api', 'start api', 'restart api']);
  });

  it('answers 409 when the component is in the wrong state', async () => {
    const response = await call('/v1/components/stuck/pause', { method: 'POST' });
    expect(response.status).toBe(409);
    expect(((await response.json()) as { error: string }).error).toBe(
      'stuck is stopped, not running',
    );
  });

  it('rejects GET on an action', async () => {
    expect((await call('/v1/components/api/restart')).status).toBe(405);
    expect(calls).toEqual([]);
  });
});
