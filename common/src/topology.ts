import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { duration } from './config/fields.ts';
import { loadConfigFile } from './config/load.ts';

/**
 * A stack's topology: its components, how to start and probe them, and the dependency edges that
 * pass through Toxiproxy. The `process` runtime and the Docker runtime both read this one file.
 */
const healthSchema = z.strictObject({
  /** HTTP path that returns 200 while the process is alive. */
  liveness: z.string().startsWith('/').default('/healthz'),
  /** HTTP path that returns 200 once the service can serve, dependencies included. */
  readiness: z.string().startsWith('/').default('/readyz'),
  /** How long start-up may take before the runtime gives up and shows the service's last log lines. */
  startTimeout: duration().default(20_000),
});

const postgresSchema = z.strictObject({
  type: z.literal('postgres'),
  database: z.string().default('rebound'),
  extensions: z.array(z.string()).default([]),
});

const redisSchema = z.strictObject({
  type: z.literal('redis'),
});

const nodeServiceSchema = z.strictObject({
  type: z.literal('node'),
  /** TypeScript or JavaScript entry file, relative to the topology file. */
  entry: z.string(),
  description: z.string().optional(),
  /** Extra environment, as strings. `${STACK_DIR}` expands to the topology file's folder. */
  env: z.record(z.string(), z.string()).default({}),
  health: healthSchema.prefault({}),
  /** Whether the service has admin endpoints; it then receives `ADMIN_TOKEN`. */
  admin: z.boolean().default(false),
});

export const componentSchema = z.discriminatedUnion('type', [
  postgresSchema,
  redisSchema,
  nodeServiceSchema,
]);

const edgeSchema = z.strictObject({
  from: z.string(),
  to: z.string(),
  /** Environment variable through which `from` receives the proxied address of `to`. */
  env: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]*$/, { error: 'expected an upper-case environment variable name' }),
});

export const topologySchema = z
  .strictObject({
    apiVersion: z.literal('rebound.dev/v1'),
    kind: z.literal('Topology'),
    name: z.string().regex(/^[a-z][a-z0-9-]*$/),
    components: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/), componentSchema),
    edges: z.array(edgeSchema).default([]),
  })
  .superRefine((topology, context) => {
    const names = Object.keys(topology.components);
    topology.edges.forEach((edge, index) => {
      for (const end of ['from', 'to'] as const) {
        if (!names.includes(edge[end])) {
          context.addIssue({
            code: 'custom',
            path: ['edges', index, end],
            message: `unknown component "${edge[end]}"; components: ${names.join(', ')}`,
          });
        }
      }
      if (topology.components[edge.from]?.type !== 'node') {
        context.addIssue({
          code: 'custom',
          path: ['edges', index, 'from'],
          message: 'an edge starts at a node service',
        });
      }
    });
  });

export type Topology = z.output<typeof topologySchema>;
export type Component = z.output<typeof componentSchema>;
export type NodeService = z.output<typeof nodeServiceSchema>;
export type Edge = Topology['edges'][number];

/** A loaded topology with the folder its relative paths start from. */
export interface LoadedTopology extends Topology {
  file: string;
  dir: string;
}

/** Name of the Toxiproxy proxy that carries an edge, such as `gateway-to-postgres`. */
export function proxyName(edge: Pick<Edge, 'from' | 'to'>): string {
  return `${edge.from}-to-${edge.to}`;
}

/** Components in an order where every edge's target starts before its source. */
export function startOrder(topology: Topology): string[] {
  const order: string[] = [];
  const visiting = new Set<string>();
  const visit = (name: string, trail: string[]) => {
    if (order.includes(name)) return;
    if (visiting.has(name)) throw new Error(`dependency cycle: ${[...trail, name].join(' -> ')}`);
    visiting.add(name);
    for (const edge of topology.edges) if (edge.from === name) visit(edge.to, [...trail, name]);
    visiting.delete(name);
    order.push(name);
  };
  for (const name of Object.keys(topology.components)) visit(name, []);
  return order;
}

export function loadTopology(file: string): LoadedTopology {
  const path = resolve(file);
  const topology = loadConfigFile(path, topologySchema);
  startOrder(topology);
  return { ...topology, file: path, dir: dirname(path) };
}
