import { describe, expect, it } from 'vitest';
import { topologySchema } from '../../common/src/topology.ts';
import { buildServiceEnv, componentUrl, expandStackDir } from '../src/runtime/process/env.ts';

// biome-ignore-start lint/suspicious/noTemplateCurlyInString: `${STACK_DIR}` is the topology's placeholder.
const topology = {
  ...topologySchema.parse({
    apiVersion: 'rebound.dev/v1',
    kind: 'Topology',
    name: 'env-test',
    components: {
      store: { type: 'postgres', database: 'vectors' },
      queue: { type: 'redis' },
      model: { type: 'node', entry: 'model.ts' },
      gateway: {
        type: 'node',
        entry: 'gateway.ts',
        admin: true,
        env: { DATA: '${STACK_DIR}/data', PORT: '1' },
      },
    },
    edges: [
      { from: 'gateway', to: 'store', env: 'DATABASE_URL' },
      { from: 'gateway', to: 'queue', env: 'REDIS_URL' },
      { from: 'gateway', to: 'model', env: 'MODEL_URL' },
    ],
  }),
  dir: '/stacks/demo',
};
// biome-ignore-end lint/suspicious/noTemplateCurlyInString: end of the fixture.

function envOf(name: 'gateway' | 'model', baseEnv: NodeJS.ProcessEnv = {}) {
  const service = topology.components[name];
  if (service?.type !== 'node') throw new Error(`${name} is not a node service`);
  return buildServiceEnv({
    name,
    service,
    port: 5000,
    topology,
    proxyPorts: { 'gateway-to-store': 6001, 'gateway-to-queue': 6002, 'gateway-to-model': 6003 },
    adminToken: 'secret',
    runDir: '/runs/1',
    baseEnv,
  });
}

describe('service environment', () => {
  it('points each edge variable at its proxy', () => {
    const env = envOf('gateway');
    expect(env.DATABASE_URL).toBe('postgres://rebound@127.0.0.1:6001/vectors');
    expect(env.REDIS_URL).toBe('redis://127.0.0.1:6002');
    expect(env.MODEL_URL).toBe('http://127.0.0.1:6003');
  });

  it('sets the runtime variables over static ones', () => {
    const env = envOf('gateway');
    expect(env.PORT).toBe('5000');
    expect(env.HOST).toBe('127.0.0.1');
    expect(env.SERVICE_NAME).toBe('gateway');
    expect(env.REBOUND_RUN_DIR).toBe('/runs/1');
  });

  it('expands STACK_DIR in static values', () => {
    expect(envOf('gateway').DATA).toBe('/stacks/demo/data');
  });

  it('gives the admin token only to admin services', () => {
    expect(envOf('gateway').ADMIN_TOKEN).toBe('secret');
    expect(envOf('model', { ADMIN_TOKEN: 'inherited' }).ADMIN_TOKEN).toBeUndefined();
  });

  it('keeps inherited variables', () => {
    expect(envOf('model', { PATH: '/usr/bin', LOG_LEVEL: 'debug' })).toMatchObject({
      PATH: '/usr/bin',
      LOG_LEVEL: 'debug',
    });
  });

  it('sets no edge variables on services without edges', () => {
    expect(envOf('model').DATABASE_URL).toBeUndefined();
  });
});

describe('component addresses', () => {
  it('formats each type as its client expects', () => {
    expect(componentUrl({ type: 'postgres', database: 'db', extensions: [] }, 1)).toBe(
      'postgres://rebound@127.0.0.1:1/db',
    );
    expect(componentUrl({ type: 'redis' }, 2)).toBe('redis://127.0.0.1:2');
  });

  it('expands every STACK_DIR occurrence', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the topology's placeholder.
    expect(expandStackDir('${STACK_DIR}/a:${STACK_DIR}/b', '/s')).toBe('/s/a:/s/b');
  });
});
