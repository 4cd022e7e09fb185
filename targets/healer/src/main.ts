import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { monotonicNowMs } from '../../../common/src/clock.ts';
import { parseDurationMs } from '../../../common/src/config/fields.ts';
import { ConfigError } from '../../../common/src/config/load.ts';
import { createLogger } from '../../../common/src/log.ts';
import { AdminClient } from './actuators/admin.ts';
import { SupervisorActuator } from './actuators/supervisor.ts';
import { startApi } from './api/server.ts';
import { loadEndpoints, nodeServiceUrls } from './endpoints.ts';
import { EventLog } from './engine/event-log.ts';
import { Healer } from './engine/healer.ts';
import { loadPolicy } from './policy/load.ts';
import type { Policy } from './policy/schema.ts';

const USAGE =
  'node --import tsx targets/healer/src/main.ts --policy <file> --endpoints <runDir>/endpoints.json ' +
  '--events <file.jsonl> [--port <n>] [--token <t>] [--approval-mode auto|deny|manual] ' +
  '[--approval-delay 2s] [--approval-timeout 30s] [--info-file .rebound/healer.json]';

const log = createLogger('healer');

/** A start-up problem the operator can fix; printed as one line, exit code 2. */
class StartupError extends Error {}

function parseCommandLine() {
  const { values } = parseArgs({
    options: {
      policy: { type: 'string' },
      endpoints: { type: 'string' },
      events: { type: 'string' },
      port: { type: 'string', default: '0' },
      token: { type: 'string' },
      'approval-mode': { type: 'string' },
      'approval-delay': { type: 'string' },
      'approval-timeout': { type: 'string' },
      'info-file': { type: 'string', default: '.rebound/healer.json' },
    },
    strict: true,
  });
  for (const required of ['policy', 'endpoints', 'events'] as const) {
    if (values[required] === undefined)
      throw new StartupError(`missing --${required}\nusage: ${USAGE}`);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new StartupError(
      `invalid --port "${values.port}": expected 0–65535 (0 picks a free port)`,
    );
  }
  return { ...values, port } as typeof values & {
    policy: string;
    endpoints: string;
    events: string;
    port: number;
  };
}

/** Applies the approval flags over the policy, so a run can switch mode without editing the file. */
function applyApprovalFlags(policy: Policy, flags: ReturnType<typeof parseCommandLine>): void {
  const mode = flags['approval-mode'];
  if (mode !== undefined) {
    if (mode !== 'auto' && mode !== 'deny' && mode !== 'manual') {
      throw new StartupError(`invalid --approval-mode "${mode}": expected auto, deny or manual`);
    }
    policy.approvals.mode = mode;
  }
  try {
    if (flags['approval-delay'] !== undefined)
      policy.approvals.delay = parseDurationMs(flags['approval-delay']);
    if (flags['approval-timeout'] !== undefined)
      policy.approvals.timeout = parseDurationMs(flags['approval-timeout']);
  } catch (error) {
    throw new StartupError((error as Error).message);
  }
}

async function main(): Promise<void> {
  const flags = parseCommandLine();
  const policy = loadPolicy(flags.policy);
  applyApprovalFlags(policy, flags);
  const endpoints = loadEndpoints(flags.endpoints);
  const serviceUrls = nodeServiceUrls(endpoints);
  const token = flags.token ?? randomBytes(24).toString('hex');

  const events = new EventLog(resolve(flags.events), log);
  const healer = new Healer({
    policy,
    serviceUrls,
    actuator: new SupervisorActuator(endpoints.supervisor.url, endpoints.supervisor.token),
    admin: new AdminClient(serviceUrls, endpoints.adminToken),
    events,
    log,
    nowMs: monotonicNowMs,
  });
  healer.start();
  const api = await startApi({
    port: flags.port,
    token,
    events,
    approvals: healer.approvals,
    log,
  }).catch(async (error: unknown) => {
    await healer.stop();
    throw error;
  });

  const infoFile = resolve(flags['info-file']);
  mkdirSync(dirname(infoFile), { recursive: true });
  writeFileSync(
    infoFile,
    `${JSON.stringify({ url: api.url, token, pid: process.pid, startedAt: new Date().toISOString() })}\n`,
    { mode: 0o600 },
  );
  log.info(
    {
      url: api.url,
      services: [...serviceUrls.keys()],
      approvalMode: policy.approvals.mode,
      infoFile,
    },
    'healer started',
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'healer stopping');
    await healer.stop();
    api.server.closeAllConnections();
    await new Promise<void>((done) => api.server.close(() => done()));
    rmSync(infoFile, { force: true });
    log.info('healer stopped');
    log.flush();
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

try {
  await main();
} catch (error) {
  const parseFailure = String((error as NodeJS.ErrnoException).code ?? '').startsWith(
    'ERR_PARSE_ARGS',
  );
  if (error instanceof ConfigError || error instanceof StartupError || parseFailure) {
    process.stderr.write(`healer: ${(error as Error).message}\n`);
    process.exitCode = 2;
  } else {
    log.fatal({ err: error }, 'healer failed to start');
    process.stderr.write(`healer: ${(error as Error).message}\n`);
    process.exitCode = 3;
  }
}
