import { resolve } from 'node:path';
import type { NodeService } from '../../../../common/src/topology.ts';
import type { LaunchSpec } from './child.ts';
import type { ComponentDriver } from './driver.ts';
import { loopback } from './env.ts';
import { probeHttp } from './probes.ts';

/** The tsx loader as an absolute URL, so services load TypeScript wherever their entry lives. */
const tsxLoader = import.meta.resolve('tsx');

/** A Node service started as `node --import tsx <entry>`, probed over HTTP. */
export class NodeServiceDriver implements ComponentDriver {
  readonly type = 'node';
  readonly stopSignal = 'SIGTERM';

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly service: NodeService,
    private readonly stackDir: string,
    private readonly env: Record<string, string>,
  ) {}

  get startTimeoutMs(): number {
    return this.service.health.startTimeout;
  }

  get url(): string {
    return `http://${loopback}:${this.port}`;
  }

  async prepare(): Promise<void> {}

  launchSpec(): LaunchSpec {
    return {
      command: process.execPath,
      args: ['--import', tsxLoader, resolve(this.stackDir, this.service.entry)],
      env: this.env,
      cwd: this.stackDir,
    };
  }

  /** GET liveness, then readiness; both must return 200. */
  async probe(): Promise<void> {
    await probeHttp(`${this.url}${this.service.health.liveness}`);
    await probeHttp(`${this.url}${this.service.health.readiness}`);
  }

  async initialise(): Promise<void> {}
}
