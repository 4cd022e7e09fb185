import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import {
  findOnPath,
  findPostgresBinDir,
  findPostgresExtension,
  findRedisServer,
  findToxiproxyServer,
  postgresVersion,
  toolsBinDir,
} from './tools.ts';

/**
 * Requirements of the `process` runtime on this machine, checked the same way by `rebound doctor` and
 * `npm run setup`. Each check reports the version found or the one command that fixes it.
 */
export interface Requirement {
  name: string;
  required: boolean;
  /** Version or path found; undefined when missing. */
  found: string | undefined;
  fix: string;
}

export const toxiproxyModule = 'github.com/Shopify/toxiproxy/v2';
export const toxiproxyVersion = 'v2.12.0';
export const minimumNodeMajor = 20;

const sudo = process.getuid?.() === 0 ? '' : 'sudo ';

export function toxiproxyInstallCommand(): string {
  return `GOBIN=${toolsBinDir} go install ${toxiproxyModule}/cmd/server@${toxiproxyVersion}`;
}

function output(command: string, args: string[]): string | undefined {
  try {
    return execFileSync(command, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  } catch {
    return undefined;
  }
}

export function findGo(): string | undefined {
  return (
    findOnPath('go') ??
    output('sh', ['-c', 'test -x /usr/local/go/bin/go && echo /usr/local/go/bin/go'])
  );
}

/** Reads the Toxiproxy module version that `go install` recorded in the binary, such as v2.12.0. */
export function toxiproxyBuildVersion(binary: string): string | undefined {
  const go = findGo();
  const info = go === undefined ? undefined : output(go, ['version', '-m', binary]);
  return info?.match(
    new RegExp(`mod\\s+${toxiproxyModule.replaceAll('/', '\\/')}\\s+(v\\S+)`),
  )?.[1];
}

function checkNode(): Requirement {
  const major = Number(process.versions.node.split('.')[0]);
  return {
    name: 'node',
    required: true,
    found: major >= minimumNodeMajor ? process.versions.node : undefined,
    fix: `install Node.js ${minimumNodeMajor} or newer (https://nodejs.org/en/download)`,
  };
}

function checkGo(): Requirement {
  const go = findGo();
  const version = go === undefined ? undefined : output(go, ['version']);
  return {
    name: 'go',
    required: true,
    found: version?.match(/go(\d+\.\d+(?:\.\d+)?)/)?.[1],
    fix: 'install Go (https://go.dev/doc/install); setup builds Toxiproxy with it',
  };
}

function checkToxiproxy(): Requirement {
  const binary = findToxiproxyServer();
  const version =
    binary === undefined ? undefined : (toxiproxyBuildVersion(binary) ?? 'unknown version');
  return {
    name: 'toxiproxy server',
    required: true,
    found: binary === undefined ? undefined : `${version} (${binary})`,
    fix: toxiproxyInstallCommand(),
  };
}

function checkPostgres(): Requirement[] {
  const binDir = findPostgresBinDir();
  const version = binDir === undefined ? undefined : postgresVersion(binDir);
  const cube = binDir === undefined ? undefined : findPostgresExtension(binDir, 'cube');
  return [
    {
      name: 'postgres',
      required: true,
      found: version,
      fix: `${sudo}apt-get install -y postgresql`,
    },
    {
      name: 'initdb',
      required: true,
      found: binDir === undefined ? undefined : join(binDir, 'initdb'),
      fix: `${sudo}apt-get install -y postgresql`,
    },
    {
      name: 'cube extension',
      required: true,
      found: cube,
      fix: `${sudo}apt-get install -y postgresql-contrib`,
    },
  ];
}

function checkRedis(): Requirement {
  const binary = findRedisServer();
  const version = binary === undefined ? undefined : output(binary, ['--version']);
  return {
    name: 'redis-server',
    required: true,
    found: version?.match(/v=(\S+)/)?.[1],
    fix: `${sudo}apt-get install -y redis-server`,
  };
}

function checkChromium(): Requirement {
  const binary = findOnPath('chromium') ?? findOnPath('chromium-browser');
  const version = binary === undefined ? undefined : output(binary, ['--version']);
  return {
    name: 'chromium (optional, report tests)',
    required: false,
    found: version?.match(/(\d+(?:\.\d+)+)/)?.[1] ?? (binary === undefined ? undefined : binary),
    fix: `${sudo}apt-get install -y chromium`,
  };
}

export function checkRequirements(): Requirement[] {
  return [
    checkNode(),
    checkGo(),
    checkToxiproxy(),
    ...checkPostgres(),
    checkRedis(),
    checkChromium(),
  ];
}

/** Debian packages that provide the missing system requirements. */
export function missingPackages(requirements: Requirement[]): string[] {
  const packages = new Set<string>();
  for (const requirement of requirements) {
    if (requirement.found !== undefined || !requirement.required) continue;
    if (['postgres', 'initdb', 'cube extension'].includes(requirement.name)) {
      packages.add('postgresql').add('postgresql-contrib');
    }
    if (requirement.name === 'redis-server') packages.add('redis-server');
  }
  return [...packages];
}

/** Debian packages that only the tests need, such as Chromium for the HTML report test. */
export function missingTestPackages(requirements: Requirement[]): string[] {
  const packages = new Set<string>();
  for (const requirement of requirements) {
    if (requirement.found === undefined && requirement.name.startsWith('chromium')) {
      packages.add('chromium');
    }
  }
  return [...packages];
}
