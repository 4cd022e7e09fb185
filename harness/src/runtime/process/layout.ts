import { chmodSync, existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { LoadedTopology } from '../../../../common/src/topology.ts';
import { proxyName } from '../../../../common/src/topology.ts';
import { RuntimeFailure } from '../../errors.ts';
import type { ComponentDriver } from './driver.ts';
import { buildServiceEnv } from './env.ts';
import { NodeServiceDriver } from './node-service.ts';
import { PortAllocator } from './ports.ts';
import { PostgresDriver } from './postgres.ts';
import { RedisDriver } from './redis.ts';
import {
  findPostgresBinDir,
  findRedisServer,
  findToxiproxyServer,
  postgresVersion,
  projectRoot,
  systemUser,
} from './tools.ts';
import { ToxiproxyDriver } from './toxiproxy.ts';

/** Everything decided before the first process starts: ports, folders and one driver per part. */
export interface StackLayout {
  toxiproxy: ToxiproxyDriver;
  /** Drivers of the topology's components, keyed by component name. */
  drivers: Map<string, ComponentDriver>;
  componentPorts: Record<string, number>;
  proxyPorts: Record<string, number>;
  /** Folders that hold the run's throwaway data, deleted on teardown. */
  dataDirs: string[];
}

export interface LayoutInput {
  topology: LoadedTopology;
  runDir: string;
  cacheDir: string;
  adminToken: string;
}

function missingTool(what: string): RuntimeFailure {
  return new RuntimeFailure(
    `${what} not found; run \`npm run setup\`, or \`rebound doctor\` to see what is missing`,
    {
      code: 'E_TOOL_MISSING',
    },
  );
}

/** Whether every existing ancestor of `path` lets other users through (mode o+x). */
function traversableByOthers(path: string): boolean {
  for (let folder = path; ; folder = dirname(folder)) {
    if (existsSync(folder) && (statSync(folder).mode & 0o001) === 0) return false;
    if (dirname(folder) === folder) return true;
  }
}

/**
 * Picks the user PostgreSQL runs as and the folders it can reach. PostgreSQL refuses to run as
 * root, so as root it runs as the `postgres` system user, and data that this user could not reach
 * inside the run folder moves to the system's temporary folder.
 */
function postgresPlacement(runDir: string, cacheDir: string) {
  if (process.getuid?.() !== 0)
    return { user: undefined, dataRoot: join(runDir, 'data'), cacheDir };
  const user = systemUser('postgres');
  if (user === undefined) {
    throw new RuntimeFailure(
      'running as root needs the `postgres` system user, which is missing; install the postgresql package',
    );
  }
  let dataRoot = join(runDir, 'data');
  if (!traversableByOthers(runDir)) {
    // mkdtemp creates the folder with mode 0700; the postgres user must be able to pass through it.
    dataRoot = mkdtempSync(join(tmpdir(), 'rebound-data-'));
    chmodSync(dataRoot, 0o711);
  }
  const reachableCache = traversableByOthers(cacheDir) ? cacheDir : join(tmpdir(), 'rebound-cache');
  return { user, dataRoot, cacheDir: reachableCache };
}

export async function planStack(input: LayoutInput): Promise<StackLayout> {
  const { topology, runDir } = input;
  const ports = new PortAllocator();
  const toxiproxyBinary = findToxiproxyServer();
  if (toxiproxyBinary === undefined) throw missingTool('the Toxiproxy server');
  const toxiproxy = new ToxiproxyDriver(await ports.next(), toxiproxyBinary, runDir);

  const componentPorts: Record<string, number> = {};
  for (const name of Object.keys(topology.components)) componentPorts[name] = await ports.next();
  const proxyPorts: Record<string, number> = {};
  for (const edge of topology.edges) proxyPorts[proxyName(edge)] = await ports.next();

  const drivers = new Map<string, ComponentDriver>();
  const dataDirs = new Set<string>();
  for (const [name, component] of Object.entries(topology.components)) {
    const port = componentPorts[name] as number;
    if (component.type === 'postgres') {
      const binDir = findPostgresBinDir();
      if (binDir === undefined) throw missingTool('PostgreSQL (initdb and postgres)');
      const placement = postgresPlacement(runDir, input.cacheDir);
      dataDirs.add(placement.dataRoot);
      drivers.set(
        name,
        new PostgresDriver({
          name,
          port,
          database: component.database,
          extensions: component.extensions,
          binDir,
          version: postgresVersion(binDir),
          dataRoot: placement.dataRoot,
          cacheDir: placement.cacheDir,
          user: placement.user,
        }),
      );
    } else if (component.type === 'redis') {
      const binary = findRedisServer();
      if (binary === undefined) throw missingTool('redis-server');
      dataDirs.add(join(runDir, 'data'));
      drivers.set(name, new RedisDriver(name, port, binary, join(runDir, 'data')));
    } else {
      const env = buildServiceEnv({
        name,
        service: component,
        port,
        topology,
        proxyPorts,
        adminToken: input.adminToken,
        runDir,
        baseEnv: process.env,
      });
      drivers.set(name, new NodeServiceDriver(name, port, component, topology.dir, env));
    }
  }
  return { toxiproxy, drivers, componentPorts, proxyPorts, dataDirs: [...dataDirs] };
}

export const defaultCacheDir = join(projectRoot, '.rebound', 'cache');
