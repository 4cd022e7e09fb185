import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

/**
 * Locates the programs the `process` runtime starts: PostgreSQL, Redis and the Toxiproxy server.
 * `rebound doctor` and `npm run setup` use the same lookups, so all three agree on what is missing.
 */

/** The repository root, three folders above `harness/src/runtime/process/`. */
export const projectRoot = resolve(new URL('../../../../', import.meta.url).pathname);

export const toolsBinDir = join(projectRoot, '.tools', 'bin');

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Returns the first executable named `name` on `PATH`, or undefined. */
export function findOnPath(name: string): string | undefined {
  for (const folder of (process.env.PATH ?? '').split(delimiter)) {
    if (folder === '') continue;
    const candidate = join(folder, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Returns the folder that holds `initdb` and `postgres`: `REBOUND_PG_BIN` when set, otherwise the
 * newest Debian-style `/usr/lib/postgresql/<major>/bin`, otherwise the folder of `initdb` on `PATH`.
 */
export function findPostgresBinDir(): string | undefined {
  const fromEnv = process.env.REBOUND_PG_BIN;
  if (fromEnv) return isExecutable(join(fromEnv, 'initdb')) ? fromEnv : undefined;

  const debianRoot = '/usr/lib/postgresql';
  if (existsSync(debianRoot)) {
    const majors = readdirSync(debianRoot)
      .filter((entry) => /^\d+$/.test(entry))
      .sort((a, b) => Number(b) - Number(a));
    for (const major of majors) {
      const bin = join(debianRoot, major, 'bin');
      if (isExecutable(join(bin, 'initdb')) && isExecutable(join(bin, 'postgres'))) return bin;
    }
  }

  const initdb = findOnPath('initdb');
  return initdb === undefined ? undefined : resolve(initdb, '..');
}

/** Returns the path of `<extension>.control` for the PostgreSQL in `binDir`, or undefined. */
export function findPostgresExtension(binDir: string, extension: string): string | undefined {
  const major = /postgresql\/(\d+)\/bin/.exec(binDir)?.[1];
  const candidates = [
    major === undefined ? undefined : `/usr/share/postgresql/${major}/extension`,
    join(binDir, '..', 'share', 'extension'),
    join(binDir, '..', 'share', 'postgresql', 'extension'),
  ];
  for (const folder of candidates) {
    if (folder === undefined) continue;
    const control = join(folder, `${extension}.control`);
    if (existsSync(control)) return control;
  }
  return undefined;
}

/** Returns the PostgreSQL version string, such as `15.18`, from `postgres --version`. */
export function postgresVersion(binDir: string): string {
  const output = execFileSync(join(binDir, 'postgres'), ['--version'], { encoding: 'utf8' });
  return /(\d+(?:\.\d+)+)/.exec(output)?.[1] ?? output.trim();
}

export function findRedisServer(): string | undefined {
  return findOnPath('redis-server');
}

/**
 * Returns the Toxiproxy server binary. `go install …/cmd/server` names it `server`; setup adds a
 * `toxiproxy-server` link beside it so that process listings show what it is.
 */
export function findToxiproxyServer(): string | undefined {
  for (const name of ['toxiproxy-server', 'server']) {
    const candidate = join(toolsBinDir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return findOnPath('toxiproxy-server');
}

/** Looks up a system user's ids in `/etc/passwd` through `id`, or returns undefined. */
export function systemUser(name: string): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
  } catch {
    return undefined;
  }
}
