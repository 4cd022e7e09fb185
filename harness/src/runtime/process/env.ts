import type { Component, LoadedTopology, NodeService } from '../../../../common/src/topology.ts';
import { proxyName } from '../../../../common/src/topology.ts';

/** Every server of a stack listens here; nothing binds to another address. */
export const loopback = '127.0.0.1';

/** User that owns the throwaway PostgreSQL clusters; trust authentication needs no password. */
export const postgresUser = 'rebound';

/** Returns the address a client uses to reach `component` on `port`. */
export function componentUrl(component: Component, port: number): string {
  switch (component.type) {
    case 'postgres':
      return `postgres://${postgresUser}@${loopback}:${port}/${component.database}`;
    case 'redis':
      return `redis://${loopback}:${port}`;
    case 'node':
      return `http://${loopback}:${port}`;
  }
}

/** Replaces every `${STACK_DIR}` in a topology value with the topology file's folder. */
export function expandStackDir(value: string, stackDir: string): string {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the topology's placeholder, not a template.
  return value.replaceAll('${STACK_DIR}', stackDir);
}

export interface ServiceEnvInput {
  name: string;
  service: NodeService;
  port: number;
  topology: Pick<LoadedTopology, 'dir' | 'components' | 'edges'>;
  /** Listen port of each Toxiproxy proxy, keyed by proxy name. */
  proxyPorts: Record<string, number>;
  adminToken: string;
  runDir: string;
  /** Environment inherited from the runtime, overridden by everything the topology sets. */
  baseEnv: NodeJS.ProcessEnv;
}

/**
 * Builds a node service's environment: the inherited variables, then the topology's static `env`,
 * then PORT, HOST, SERVICE_NAME, REBOUND_RUN_DIR, ADMIN_TOKEN for admin services, and for each edge
 * that leaves the service the variable it names, holding the proxied address of the edge's target.
 */
export function buildServiceEnv(input: ServiceEnvInput): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(input.baseEnv)) {
    if (value !== undefined) env[key] = value;
  }
  for (const [key, value] of Object.entries(input.service.env)) {
    env[key] = expandStackDir(value, input.topology.dir);
  }

  env.PORT = String(input.port);
  env.HOST = loopback;
  env.SERVICE_NAME = input.name;
  env.REBOUND_RUN_DIR = input.runDir;
  if (input.service.admin) env.ADMIN_TOKEN = input.adminToken;
  else delete env.ADMIN_TOKEN;

  for (const edge of input.topology.edges) {
    if (edge.from !== input.name) continue;
    const target = input.topology.components[edge.to];
    const proxyPort = input.proxyPorts[proxyName(edge)];
    if (target === undefined || proxyPort === undefined) {
      throw new Error(`edge ${proxyName(edge)} has no target component or no proxy port`);
    }
    env[edge.env] = componentUrl(target, proxyPort);
  }
  return env;
}
