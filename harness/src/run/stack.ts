import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Toxiproxy } from 'toxiproxy-node-client';
import type { Logger } from '../../../common/src/log.ts';
import type { LoadedTopology } from '../../../common/src/topology.ts';
import { RuntimeFailure } from '../errors.ts';
import type { Runtime, StackEndpoints } from '../runtime/types.ts';
import type { Cleanup } from '../score/record.ts';

/** How long services may take to become healthy again after the faults are reverted. */
export const HEALTHY_TIMEOUT_MS = 30_000;

interface ProxyState {
  enabled: boolean;
  toxics: { name: string }[];
}

/**
 * One running stack on a runtime: started once per experiment and brought to a clean slate before
 * each trial, so trials share the start-up cost but not each other's faults.
 */
export class Stack {
  endpoints: StackEndpoints | undefined;
  toxiproxy: Toxiproxy | undefined;

  constructor(
    readonly runtime: Runtime,
    readonly topology: LoadedTopology,
    readonly runtimeDir: string,
    private readonly logger: Logger,
  ) {}

  async start(signal: AbortSignal): Promise<StackEndpoints> {
    this.logger.info({ runtime: this.runtime.name, dir: this.runtimeDir }, 'stack starting');
    this.endpoints = await this.runtime.start(this.topology, { runDir: this.runtimeDir, signal });
    this.toxiproxy = new Toxiproxy(this.endpoints.toxiproxy.url);
    await this.runtime.waitHealthy(HEALTHY_TIMEOUT_MS);
    this.logger.info({ components: Object.keys(this.endpoints.components) }, 'stack healthy');
    return this.endpoints;
  }

  /** Resets Toxiproxy (every toxic removed, every proxy enabled) and waits for every service. */
  async cleanSlate(): Promise<void> {
    await this.client().reset();
    const cleanup = await this.check();
    if (cleanup.toxicsLeft.length > 0 || cleanup.unhealthy.length > 0) {
      throw new RuntimeFailure(
        `the stack is not clean before the trial: ${[...cleanup.toxicsLeft, ...cleanup.unhealthy].join(', ')}`,
      );
    }
    this.logger.info('clean slate');
  }

  /** What is left after the reverts: toxics, disabled proxies, unhealthy or stopped services. */
  async check(): Promise<Cleanup> {
    const endpoints = this.required();
    const response = await fetch(`${endpoints.toxiproxy.url}/proxies`);
    const proxies = (await response.json()) as Record<string, ProxyState>;
    const toxicsLeft = Object.entries(proxies).flatMap(([name, proxy]) => [
      ...proxy.toxics.map((toxic) => `${name}/${toxic.name}`),
      ...(proxy.enabled ? [] : [`${name} (proxy disabled)`]),
    ]);

    const healthy = await this.runtime.waitHealthy(HEALTHY_TIMEOUT_MS).then(
      () => true,
      (error: unknown) => {
        this.logger.warn({ err: error }, 'stack not healthy after the reverts');
        return false;
      },
    );
    const statuses = await this.runtime.status();
    const stoppedProcesses = statuses
      .filter((status) => status.state !== 'running')
      .map((status) => `${status.name} (${status.state})`);
    const unhealthy = healthy ? [] : await this.unreadyServices();
    return { toxicsLeft, unhealthy, stoppedProcesses };
  }

  /** Node services whose readiness endpoint does not answer 2xx right now. */
  private async unreadyServices(): Promise<string[]> {
    const endpoints = this.required();
    const checks = Object.entries(this.topology.components).map(async ([name, component]) => {
      if (component.type !== 'node') return [];
      const url = new URL(component.health.readiness, endpoints.components[name]?.url);
      const ok = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
        (response) => response.ok,
        () => false,
      );
      return ok ? [] : [name];
    });
    return (await Promise.all(checks)).flat();
  }

  /** Copies the services' logs into the report folder. */
  copyLogs(reportDir: string): void {
    const logs = join(this.runtimeDir, 'logs');
    if (!existsSync(logs)) return;
    mkdirSync(reportDir, { recursive: true });
    cpSync(logs, join(reportDir, 'logs'), { recursive: true });
  }

  async stop(): Promise<void> {
    await this.runtime.stop();
    this.logger.info('stack stopped');
  }

  client(): Toxiproxy {
    if (!this.toxiproxy) throw new Error('the stack has not started');
    return this.toxiproxy;
  }

  required(): StackEndpoints {
    if (!this.endpoints) throw new Error('the stack has not started');
    return this.endpoints;
  }
}
