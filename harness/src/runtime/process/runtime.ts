import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { createLogger } from '../../../../common/src/log.ts';
import type { LoadedTopology } from '../../../../common/src/topology.ts';
import { startOrder } from '../../../../common/src/topology.ts';
import { InterruptedError, RuntimeFailure, UsageError } from '../../errors.ts';
import type {
  ComponentState,
  ComponentStatus,
  Runtime,
  StackEndpoints,
  StartOptions,
} from '../types.ts';
import { ManagedChild, tailLines } from './child.ts';
import type { ComponentDriver } from './driver.ts';
import { componentUrl, loopback } from './env.ts';
import { installTeardownHooks, type TeardownHooks } from './hooks.ts';
import { defaultCacheDir, planStack } from './layout.ts';
import { isStopped, readProcStat, waitUntil } from './proc.ts';
import {
  defaultStateDir,
  type RunState,
  reapCrashedRuns,
  removeState,
  writeState,
} from './state.ts';
import { type Supervisor, startSupervisor } from './supervisor.ts';

const log = createLogger('runtime', { runtime: 'process' });

export interface ProcessRuntimeOptions {
  /** Folder of the per-run state files; defaults to `.rebound/state` under the project root. */
  stateDir?: string;
  /** Folder of the cached PostgreSQL template; defaults to `.rebound/cache`. */
  cacheDir?: string;
  /** Time between a component's stop signal and SIGKILL. */
  stopGraceMs?: number;
  /** Tear down on SIGINT, SIGTERM and process exit; on by default. */
  handleSignals?: boolean;
  /** Recorded in the state file to tell who started the run, such as `stack up`. */
  label?: string;
}

/** Raised for a component name that is not in the topology; lists the names that are. */
export class UnknownComponentError extends UsageError {
  constructor(
    readonly component: string,
    readonly components: string[],
  ) {
    super(`unknown component "${component}"; components: ${components.join(', ')}`);
  }
}

interface Managed {
  driver: ComponentDriver;
  child?: ManagedChild;
  /** Target state of the component; an exit while it is 'running' is reported as 'exited'. */
  intent: 'running' | 'stopped';
  starts: number;
  initialised: boolean;
  /** Whether the current process passed its start-up probe. */
  ready: boolean;
}

/** Signals whose effect the runtime waits for: the process group leader exits. */
const terminatingSignals = new Set<string>(['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGABRT']);
const logTailLines = 20;

/**
 * Runs a stack as local processes on loopback: Toxiproxy first with one proxy per edge, then each
 * component in dependency order, each in its own process group with its output in
 * `<runDir>/logs/<name>.log`. Serves the supervisor API that the healer acts through.
 */
export class ProcessRuntime implements Runtime {
  readonly name = 'process';
  private readonly components = new Map<string, Managed>();
  // TODO: supervise Toxiproxy too; if it exits, every proxy is gone until the stack restarts.
  private toxiproxy?: Managed;
  private supervisor?: Supervisor;
  private state?: RunState;
  private hooks?: TeardownHooks;
  private stopping?: Promise<void>;
  private runDir = '';
  private readonly stateDir: string;
  private readonly cacheDir: string;
  private readonly stopGraceMs: number;

  constructor(private readonly options: ProcessRuntimeOptions = {}) {
    this.stateDir = options.stateDir ?? defaultStateDir;
    this.cacheDir = options.cacheDir ?? defaultCacheDir;
    this.stopGraceMs = options.stopGraceMs ?? 5_000;
  }

  async start(topology: LoadedTopology, options: StartOptions): Promise<StackEndpoints> {
    if (this.state !== undefined)
      throw new RuntimeFailure('this runtime has already started a stack');
    await reapCrashedRuns(this.stateDir);

    this.runDir = resolve(options.runDir);
    mkdirSync(join(this.runDir, 'logs'), { recursive: true });
    const adminToken = randomBytes(24).toString('hex');
    const layout = await planStack({
      topology,
      runDir: this.runDir,
      cacheDir: this.cacheDir,
      adminToken,
    });
    this.toxiproxy = {
      driver: layout.toxiproxy,
      intent: 'running',
      starts: 0,
      initialised: false,
      ready: false,
    };
    for (const name of startOrder(topology)) {
      const driver = layout.drivers.get(name) as ComponentDriver;
      this.components.set(name, {
        driver,
        intent: 'running',
        starts: 0,
        initialised: false,
        ready: false,
      });
    }
    this.state = this.initialState(topology, layout.dataDirs);
    writeState(this.stateDir, this.state);
    if (this.options.handleSignals !== false) {
      this.hooks = installTeardownHooks(
        () => this.stop(),
        () => this.stopNow(),
      );
    }

    try {
      const startedMs = Date.now();
      await Promise.all([
        this.launch(this.toxiproxy, options.signal),
        ...[...this.components.values()].map((managed) => managed.driver.prepare()),
      ]);
      const proxies = await layout.toxiproxy.createProxies(
        topology,
        layout.proxyPorts,
        layout.componentPorts,
      );
      for (const managed of this.components.values()) await this.launch(managed, options.signal);
      this.supervisor = await startSupervisor(this);

      const endpoints = this.endpoints(topology, adminToken, proxies);
      writeFileSync(join(this.runDir, 'endpoints.json'), `${JSON.stringify(endpoints, null, 2)}\n`);
      this.state.supervisor = endpoints.supervisor;
      writeState(this.stateDir, this.state);
      log.info({ runId: this.state.runId, startupMs: Date.now() - startedMs }, 'stack healthy');
      return endpoints;
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  private initialState(topology: LoadedTopology, dataDirs: string[]): RunState {
    const runId = `${topology.name}-${basename(this.runDir)}-${randomBytes(3).toString('hex')}`;
    return {
      version: 1,
      runId,
      ownerPid: process.pid,
      ownerStartTime: readProcStat(process.pid)?.startTime ?? 0,
      topology: topology.file,
      runDir: this.runDir,
      label: this.options.label,
      startedAt: new Date().toISOString(),
      endpointsFile: join(this.runDir, 'endpoints.json'),
      dataDirs,
      processes: [],
    };
  }

  private endpoints(
    topology: LoadedTopology,
    adminToken: string,
    proxies: StackEndpoints['proxies'],
  ): StackEndpoints {
    const components: StackEndpoints['components'] = {};
    for (const [name, component] of Object.entries(topology.components)) {
      const port = this.managed(name).driver.port;
      components[name] = {
        type: component.type,
        host: loopback,
        port,
        url: componentUrl(component, port),
      };
    }
    return {
      topology: topology.file,
      runDir: this.runDir,
      adminToken,
      components,
      proxies,
      toxiproxy: { url: `http://${loopback}:${this.toxiproxy?.driver.port}` },
      supervisor: { url: this.supervisor?.url ?? '', token: this.supervisor?.token ?? '' },
    };
  }

  /** Starts one component and waits until it is healthy; the first time, also initialises it. */
  private async launch(managed: Managed, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw new InterruptedError('stack start-up was interrupted');
    const { driver } = managed;
    const logFile = join(this.runDir, 'logs', `${driver.name}.log`);
    const launchedMs = Date.now();
    managed.intent = 'running';
    managed.ready = false;
    const child = await ManagedChild.spawn(driver.launchSpec(), logFile);
    managed.child = child;
    managed.starts += 1;
    this.recordProcess(driver.name, child);
    void child.exited.then(() => this.onExit(managed, child));

    await this.waitReady(managed, child, logFile, signal);
    const readyMs = Date.now() - launchedMs;
    if (!managed.initialised) {
      await driver.initialise();
      managed.initialised = true;
    }
    managed.ready = true;
    const fields = { service: driver.name, childPid: child.pid, port: driver.port, readyMs };
    log.info({ ...fields, totalMs: Date.now() - launchedMs }, 'component healthy');
  }

  private async waitReady(
    managed: Managed,
    child: ManagedChild,
    logFile: string,
    signal?: AbortSignal,
  ): Promise<void> {
    const { driver } = managed;
    let lastError: unknown;
    const healthy = await waitUntil(
      async () => {
        if (child.hasExited || signal?.aborted) return true;
        try {
          await driver.probe();
          return true;
        } catch (error) {
          lastError = error;
          return false;
        }
      },
      driver.startTimeoutMs,
      50,
    );
    if (signal?.aborted) throw new InterruptedError('stack start-up was interrupted');
    if (healthy && !child.hasExited) return;

    const reason = child.hasExited
      ? `exited during start-up (code ${child.exitCode}, signal ${child.exitSignal})`
      : `did not become healthy within ${driver.startTimeoutMs} ms (${(lastError as Error)?.message ?? 'no probe answered'})`;
    const tail = tailLines(logFile, logTailLines)
      .map((line) => `  | ${line}`)
      .join('\n');
    throw new RuntimeFailure(`${driver.name} ${reason}; last lines of ${logFile}:\n${tail}`, {
      code: 'E_COMPONENT_START',
    });
  }

  private onExit(managed: Managed, child: ManagedChild): void {
    if (managed.child !== child) return;
    const fields = { service: managed.driver.name, code: child.exitCode, signal: child.exitSignal };
    if (managed.intent === 'running') log.warn(fields, 'component exited');
    else log.info(fields, 'component stopped');
  }

  private recordProcess(name: string, child: ManagedChild): void {
    if (this.state === undefined) return;
    this.state.processes = this.state.processes.filter((record) => record.name !== name);
    this.state.processes.push({
      name,
      pid: child.pid,
      pgid: child.pgid,
      startTime: child.startTime,
    });
    writeState(this.stateDir, this.state);
  }

  private managed(component: string): Managed {
    const managed = this.components.get(component);
    if (managed === undefined) throw new UnknownComponentError(component, this.componentNames());
    return managed;
  }

  componentNames(): string[] {
    return [...this.components.keys()];
  }

  /** Returns the component's live process, or raises an error that names its current state. */
  private liveChild(component: string): ManagedChild {
    const managed = this.managed(component);
    const child = managed.child;
    if (child === undefined || child.hasExited) {
      throw new RuntimeFailure(`${component} is ${this.stateOf(managed)}, not running`, {
        code: 'E_COMPONENT_STATE',
      });
    }
    return child;
  }

  async kill(component: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.liveChild(component);
    child.signal(signal);
    log.info({ service: component, childPid: child.pid, signal }, 'signalled component');
    if (signal === 'SIGSTOP' || signal === 'SIGTSTP') {
      await this.expect(component, () => isStopped(child.pid), 'stop');
    } else if (signal === 'SIGCONT') {
      await this.expect(component, () => !isStopped(child.pid), 'continue');
    } else if (terminatingSignals.has(signal)) {
      await this.expect(component, () => child.hasExited, 'exit');
    }
  }

  private async expect(component: string, observed: () => boolean, change: string): Promise<void> {
    if (await waitUntil(observed, 10_000)) return;
    throw new RuntimeFailure(`${component} did not ${change} within 10 s of the signal`, {
      code: 'E_COMPONENT_STATE',
    });
  }

  pause(component: string): Promise<void> {
    return this.kill(component, 'SIGSTOP');
  }

  resume(component: string): Promise<void> {
    return this.kill(component, 'SIGCONT');
  }

  async stopComponent(component: string): Promise<void> {
    const managed = this.managed(component);
    managed.intent = 'stopped';
    await managed.child?.terminate(managed.driver.stopSignal, this.stopGraceMs);
  }

  /** Starts a stopped or exited component and resolves once it is healthy; no-op when running. */
  async startComponent(component: string): Promise<void> {
    const managed = this.managed(component);
    if (managed.child !== undefined && !managed.child.hasExited) {
      if (isStopped(managed.child.pid)) {
        throw new RuntimeFailure(`${component} is paused; resume it instead of starting it`, {
          code: 'E_COMPONENT_STATE',
        });
      }
      return;
    }
    // Clear what the last exit left: a group member that outlived its leader, such as a backend.
    await managed.child?.terminate('SIGKILL', 0);
    await this.launch(managed);
  }

  async restart(component: string): Promise<void> {
    await this.stopComponent(component);
    await this.startComponent(component);
  }

  private stateOf(managed: Managed): ComponentState {
    const child = managed.child;
    if (child === undefined) return managed.intent === 'stopped' ? 'stopped' : 'starting';
    if (child.hasExited) return managed.intent === 'stopped' ? 'stopped' : 'exited';
    if (isStopped(child.pid)) return 'paused';
    return managed.ready ? 'running' : 'starting';
  }

  componentStatus(component: string): ComponentStatus {
    const managed = this.managed(component);
    const child = managed.child;
    const status: ComponentStatus = {
      name: component,
      state: this.stateOf(managed),
      pid: child !== undefined && !child.hasExited ? child.pid : undefined,
      starts: managed.starts,
    };
    if (child?.hasExited) {
      status.exitCode = child.exitCode;
      status.exitSignal = child.exitSignal;
    }
    return status;
  }

  async status(): Promise<ComponentStatus[]> {
    return this.componentNames().map((name) => this.componentStatus(name));
  }

  pid(component: string): number | undefined {
    const child = this.managed(component).child;
    return child !== undefined && !child.hasExited ? child.pid : undefined;
  }

  /** Resolves when every component passes its probe (readiness for node services). */
  async waitHealthy(timeoutMs: number): Promise<void> {
    const failing = new Map<string, string>();
    const healthy = await waitUntil(
      async () => {
        failing.clear();
        await Promise.all(
          [...this.components.values()].map(async ({ driver }) => {
            try {
              await driver.probe();
            } catch (error) {
              failing.set(driver.name, (error as Error).message);
            }
          }),
        );
        return failing.size === 0;
      },
      timeoutMs,
      100,
    );
    if (healthy) return;
    const details = [...failing].map(([name, reason]) => `${name}: ${reason}`).join('; ');
    throw new RuntimeFailure(`stack not healthy within ${timeoutMs} ms: ${details}`, {
      code: 'E_UNHEALTHY',
    });
  }

  /** Stops the supervisor and every process, deletes the data folders and the state file. */
  stop(): Promise<void> {
    this.stopping ??= this.teardown();
    return this.stopping;
  }

  private async teardown(): Promise<void> {
    await this.supervisor?.close();
    const everything = [...this.components.values(), ...(this.toxiproxy ? [this.toxiproxy] : [])];
    const results = await Promise.allSettled(
      everything.map(async (managed) => {
        managed.intent = 'stopped';
        await managed.child?.terminate(managed.driver.stopSignal, this.stopGraceMs);
      }),
    );
    this.removeRunData();
    this.hooks?.remove();
    const failed = results.filter((result) => result.status === 'rejected');
    if (failed.length > 0) {
      throw new RuntimeFailure(`teardown left ${failed.length} process group(s) behind`, {
        cause: (failed[0] as PromiseRejectedResult).reason,
      });
    }
    log.info({ runId: this.state?.runId }, 'stack stopped');
  }

  /** Kills every process group at once; for process exit, where nothing asynchronous runs. */
  private stopNow(): void {
    for (const managed of [...this.components.values(), this.toxiproxy]) managed?.child?.killNow();
    this.removeRunData();
  }

  private removeRunData(): void {
    if (this.state === undefined) return;
    for (const folder of this.state.dataDirs) rmSync(folder, { recursive: true, force: true });
    removeState(this.stateDir, this.state.runId);
  }
}
