import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { formatDurationMs } from '../../../common/src/config/fields.ts';
import type { Logger } from '../../../common/src/log.ts';
import { RuntimeFailure } from '../errors.ts';
import { REPO_ROOT } from '../experiment/resolve.ts';
import type { ResolvedExperiment } from '../experiment/types.ts';
import { pickFreePort } from '../runtime/process/ports.ts';

/** The healer's entry file. The harness starts it as a process and never imports it. */
const HEALER_ENTRY = join(REPO_ROOT, 'targets/healer/src/main.ts');
const HEALTH_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 5_000;

export interface HealerFiles {
  endpointsFile: string;
  /** File the healer appends its events to, as JSON Lines. */
  eventsFile: string;
  /** File that receives its standard output and error. */
  logFile: string;
  /** File it writes its URL and token to, for `rebound approve`. */
  infoFile: string;
}

/**
 * The bundled healer, run as a separate process on loopback with a fresh token. It reads the
 * stack's `endpoints.json` and serves its event stream on `GET /v1/events`.
 */
export class HealerProcess {
  readonly token = randomBytes(24).toString('hex');
  private child: ChildProcess | undefined;
  private log: WriteStream | undefined;
  private exited: Promise<unknown> | undefined;
  url = '';

  constructor(
    private readonly experiment: ResolvedExperiment,
    private readonly files: HealerFiles,
    private readonly logger: Logger,
  ) {}

  async start(signal: AbortSignal): Promise<void> {
    const port = await pickFreePort();
    this.url = `http://127.0.0.1:${port}`;
    const { approval, policyFile } = this.experiment.healer;
    const args = [
      '--import',
      'tsx',
      HEALER_ENTRY,
      ...['--policy', policyFile, '--endpoints', this.files.endpointsFile],
      ...['--events', this.files.eventsFile, '--port', String(port), '--token', this.token],
      ...['--info-file', this.files.infoFile],
      ...(approval.mode ? ['--approval-mode', approval.mode] : []),
      ...(approval.delayMs !== undefined
        ? ['--approval-delay', formatDurationMs(approval.delayMs)]
        : []),
      ...(approval.timeoutMs !== undefined
        ? ['--approval-timeout', formatDurationMs(approval.timeoutMs)]
        : []),
    ];

    this.log = createWriteStream(this.files.logFile, { flags: 'a' });
    const child = spawn(process.execPath, args, {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    this.exited = once(child, 'exit');

    this.logger.info({ pid: child.pid, url: this.url, policy: policyFile }, 'healer starting');
    await this.waitHealthy(signal);
    this.logger.info({ pid: child.pid }, 'healer healthy');
  }

  private async waitHealthy(signal: AbortSignal): Promise<void> {
    const deadline = performance.now() + HEALTH_TIMEOUT_MS;
    while (performance.now() < deadline) {
      signal.throwIfAborted();
      if (this.child?.exitCode !== null) {
        throw new RuntimeFailure(
          `the healer exited with code ${this.child?.exitCode} during start-up; see ${this.files.logFile}`,
        );
      }
      try {
        const response = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(1_000) });
        if (response.ok) return;
      } catch {
        // Not listening yet.
      }
      await sleep(200, undefined, { signal });
    }
    throw new RuntimeFailure(
      `the healer's ${this.url}/healthz did not return 2xx within ${HEALTH_TIMEOUT_MS / 1_000}s; see ${this.files.logFile}`,
    );
  }

  /** Stops the healer with SIGTERM, then SIGKILL after a grace period. Safe to call twice. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await this.exited;
      clearTimeout(timer);
    }
    this.logger.info({ code: child.exitCode, signal: child.signalCode }, 'healer stopped');
    this.log?.end();
  }

  /** Kills the healer at once, for a second interrupt. */
  killNow(): void {
    this.child?.kill('SIGKILL');
  }
}
