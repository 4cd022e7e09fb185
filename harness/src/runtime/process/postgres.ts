import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { createLogger } from '../../../../common/src/log.ts';
import type { LaunchSpec } from './child.ts';
import type { ComponentDriver } from './driver.ts';
import { loopback, postgresUser } from './env.ts';
import { probePostgres } from './probes.ts';

const run = promisify(execFile);
const log = createLogger('runtime', { kind: 'postgres' });

/** Longest Unix socket path Linux accepts (`sun_path` is 108 bytes with the trailing NUL). */
const maxSocketPathLength = 107;

export interface PostgresOptions {
  name: string;
  port: number;
  database: string;
  extensions: string[];
  binDir: string;
  version: string;
  /** Folder that receives `<name>/`, the cluster's data directory. */
  dataRoot: string;
  /** Folder that keeps the initdb template between runs. */
  cacheDir: string;
  /** Set when running as root: the unprivileged user that owns and runs the cluster. */
  user?: { uid: number; gid: number };
}

/**
 * A throwaway PostgreSQL cluster: trust authentication for user `rebound` on loopback and durability
 * off (fsync, synchronous_commit, full_page_writes), because the data lives for one run. initdb takes
 * seconds, so it runs once per PostgreSQL version into a cached template that each run copies.
 */
export class PostgresDriver implements ComponentDriver {
  readonly type = 'postgres';
  // SIGINT is PostgreSQL's fast shutdown: it ends sessions instead of waiting for them.
  readonly stopSignal = 'SIGINT';
  readonly startTimeoutMs = 20_000;
  readonly name: string;
  readonly port: number;
  readonly dataDir: string;

  constructor(private readonly options: PostgresOptions) {
    this.name = options.name;
    this.port = options.port;
    this.dataDir = join(options.dataRoot, options.name);
  }

  async prepare(): Promise<void> {
    const template = await ensureTemplate(this.options);
    rmSync(this.dataDir, { recursive: true, force: true });
    mkdirSync(this.options.dataRoot, { recursive: true });
    // `cp -a` keeps the owner and the 0700 mode that PostgreSQL insists on.
    await run('cp', ['-a', template, this.dataDir]);
  }

  launchSpec(): LaunchSpec {
    const socketDir = this.dataDir;
    const socketPath = join(socketDir, `.s.PGSQL.${this.port}`);
    const settings = {
      listen_addresses: loopback,
      unix_socket_directories: socketPath.length <= maxSocketPathLength ? socketDir : '',
      fsync: 'off',
      synchronous_commit: 'off',
      full_page_writes: 'off',
      max_connections: '100',
      shared_buffers: '32MB',
    };
    const args = ['-D', this.dataDir, '-p', String(this.port)];
    for (const [key, value] of Object.entries(settings)) args.push('-c', `${key}=${value}`);
    return {
      command: join(this.options.binDir, 'postgres'),
      args,
      env: { PATH: process.env.PATH ?? '', LC_ALL: 'C' },
      cwd: this.dataDir,
      user: this.options.user,
    };
  }

  probe(): Promise<void> {
    return probePostgres(this.port);
  }

  /** Creates the database and each listed extension, skipping those that exist. */
  async initialise(): Promise<void> {
    const { database, extensions } = this.options;
    await withClient(this.port, 'postgres', async (client) => {
      const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (found.rowCount === 0) {
        await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
      }
    });
    await withClient(this.port, database, async (client) => {
      for (const extension of extensions) {
        await client.query(`CREATE EXTENSION IF NOT EXISTS ${pg.escapeIdentifier(extension)}`);
      }
    });
  }
}

async function withClient(
  port: number,
  database: string,
  work: (client: pg.Client) => Promise<void>,
): Promise<void> {
  const client = new pg.Client({ host: loopback, port, user: postgresUser, database });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Returns the template data directory for this PostgreSQL version and owner, running initdb into
 * a temporary folder and renaming it into place when it is missing, so concurrent runs never see
 * a half-written template.
 */
export async function ensureTemplate(options: PostgresOptions): Promise<string> {
  const owner = options.user?.uid ?? process.getuid?.() ?? 0;
  const template = join(options.cacheDir, `postgres-${options.version}-uid${owner}`);
  if (existsSync(join(template, 'PG_VERSION'))) return template;

  mkdirSync(options.cacheDir, { recursive: true });
  const scratch = mkdtempSync(join(options.cacheDir, '.initdb-'));
  const dataDir = join(scratch, 'data');
  if (options.user) chownSync(scratch, options.user.uid, options.user.gid);
  const startedMs = Date.now();
  try {
    await run(
      join(options.binDir, 'initdb'),
      ['-D', dataDir, '-U', postgresUser, '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
      { uid: options.user?.uid, gid: options.user?.gid, cwd: scratch, env: { LC_ALL: 'C' } },
    );
  } catch (error) {
    rmSync(scratch, { recursive: true, force: true });
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`initdb failed for the PostgreSQL template in ${scratch}: ${stderr.trim()}`, {
      cause: error,
    });
  }
  log.info({ template, initdbMs: Date.now() - startedMs }, 'created PostgreSQL template');

  try {
    renameSync(dataDir, template);
  } catch (error) {
    // Another run created the template first; theirs is as good as ours.
    if (!existsSync(join(template, 'PG_VERSION'))) throw error;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return template;
}
