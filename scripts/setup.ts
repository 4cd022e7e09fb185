// Installs what the `process` runtime needs and prepares data. Safe to run again: each step checks
// first and does nothing when its part is present, so a second run takes a second or two.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureTemplate } from '../harness/src/runtime/process/postgres.ts';
import {
  checkRequirements,
  findGo,
  minimumNodeMajor,
  missingPackages,
  missingTestPackages,
  toxiproxyBuildVersion,
  toxiproxyInstallCommand,
  toxiproxyModule,
  toxiproxyVersion,
} from '../harness/src/runtime/process/requirements.ts';
import {
  findPostgresBinDir,
  postgresVersion,
  projectRoot,
  systemUser,
  toolsBinDir,
} from '../harness/src/runtime/process/tools.ts';

const isRoot = process.getuid?.() === 0;
// Setup talks to people through `step`; the runtime's JSON logs matter only when something fails.
process.env.LOG_LEVEL ??= 'warn';
const problems: string[] = [];

function step(message: string): void {
  console.log(`setup: ${message}`);
}

function runCommand(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  console.log(`setup: $ ${[command, ...args].join(' ')}`);
  execFileSync(command, args, { stdio: 'inherit', env, cwd: projectRoot });
}

function checkNode(): void {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < minimumNodeMajor)
    problems.push(`Node.js ${minimumNodeMajor}+ is required, found ${process.version}`);
}

/** Builds the Toxiproxy server with `go install` into `.tools/bin` unless that version is there. */
function ensureToxiproxy(): void {
  const server = join(toolsBinDir, 'server');
  const installed = existsSync(server) ? toxiproxyBuildVersion(server) : undefined;
  if (installed === toxiproxyVersion) {
    step(`Toxiproxy ${toxiproxyVersion} present`);
  } else {
    const go = findGo();
    if (go === undefined) {
      problems.push(
        `Go is missing, so Toxiproxy cannot be built; install Go, then run: ${toxiproxyInstallCommand()}`,
      );
      return;
    }
    mkdirSync(toolsBinDir, { recursive: true });
    runCommand(go, ['install', `${toxiproxyModule}/cmd/server@${toxiproxyVersion}`], {
      ...process.env,
      GOBIN: toolsBinDir,
    });
  }
  // `go install` names the binary after its folder, `server`; the link makes process lists readable.
  const link = join(toolsBinDir, 'toxiproxy-server');
  if (!existsSync(link)) symlinkSync('server', link);
}

/**
 * Installs PostgreSQL and Redis from Debian packages when they are missing. The temporary
 * policy-rc.d stops the packages from starting their system-wide servers: every test and run
 * starts its own on free ports.
 */
function ensureSystemPackages(): void {
  const requirements = checkRequirements();
  const packages = [...missingPackages(requirements), ...missingTestPackages(requirements)];
  if (packages.length === 0) {
    step('PostgreSQL with cube, redis-server and chromium present');
    return;
  }
  const command = `apt-get update && apt-get install -y ${packages.join(' ')}`;
  if (!isRoot) {
    const message = `missing packages ${packages.join(', ')}; install them with: sudo sh -c '${command}'`;
    // Chromium alone is needed only by the HTML report test, so its absence does not fail setup.
    if (missingPackages(requirements).length > 0) problems.push(message);
    else step(message);
    return;
  }
  const policy = '/usr/sbin/policy-rc.d';
  const ownPolicy = !existsSync(policy);
  if (ownPolicy) writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    runCommand('apt-get', ['update']);
    runCommand('apt-get', ['install', '-y', '--no-install-recommends', ...packages], {
      ...process.env,
      DEBIAN_FRONTEND: 'noninteractive',
    });
  } finally {
    if (ownPolicy) rmSync(policy, { force: true });
  }
}

/** Runs initdb once now, so the first stack start only copies the cached template. */
async function warmPostgresTemplate(): Promise<void> {
  const binDir = findPostgresBinDir();
  if (binDir === undefined) return;
  const user = isRoot ? systemUser('postgres') : undefined;
  const template = await ensureTemplate({
    name: 'template',
    port: 0,
    database: 'postgres',
    extensions: [],
    binDir,
    version: postgresVersion(binDir),
    dataRoot: '',
    cacheDir: join(projectRoot, '.rebound', 'cache'),
    user,
  });
  step(`PostgreSQL template ready in ${template}`);
}

/**
 * Preparation steps of the targets, run in this order when their script exists. Each script must
 * itself be quick when its work is already done.
 */
const dataPreparationSteps = [
  { name: 'AI-stack data and models', script: 'targets/ai-stack/scripts/prepare.ts' },
];

function prepareData(): void {
  for (const { name, script } of dataPreparationSteps) {
    if (!existsSync(join(projectRoot, script))) {
      step(`${name}: ${script} does not exist yet, skipped`);
      continue;
    }
    step(name);
    runCommand(process.execPath, ['--import', 'tsx', script]);
  }
}

checkNode();
ensureToxiproxy();
ensureSystemPackages();
await warmPostgresTemplate();
prepareData();

if (problems.length > 0) {
  for (const problem of problems) console.error(`setup: ${problem}`);
  process.exit(1);
}
step('done; `node bin/rebound.js doctor` lists what is installed');
