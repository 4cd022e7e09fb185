import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LaunchSpec } from './child.ts';
import type { ComponentDriver } from './driver.ts';
import { loopback } from './env.ts';
import { probeRedis } from './probes.ts';

/** A Redis server without persistence, on loopback with protected mode on, in the foreground. */
export class RedisDriver implements ComponentDriver {
  readonly type = 'redis';
  readonly stopSignal = 'SIGTERM';
  readonly startTimeoutMs = 10_000;
  private readonly dataDir: string;

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly binary: string,
    dataRoot: string,
  ) {
    this.dataDir = join(dataRoot, name);
  }

  async prepare(): Promise<void> {
    mkdirSync(this.dataDir, { recursive: true });
  }

  launchSpec(): LaunchSpec {
    return {
      command: this.binary,
      args: [
        '--bind',
        loopback,
        '--port',
        String(this.port),
        '--save',
        '',
        '--appendonly',
        'no',
        '--protected-mode',
        'yes',
        '--daemonize',
        'no',
        '--dir',
        this.dataDir,
      ],
      env: { PATH: process.env.PATH ?? '' },
      cwd: this.dataDir,
    };
  }

  probe(): Promise<void> {
    return probeRedis(this.port);
  }

  async initialise(): Promise<void> {}
}
