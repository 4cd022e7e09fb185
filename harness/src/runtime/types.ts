import type { LoadedTopology } from '../../../common/src/topology.ts';

/** Where a running stack can be reached. Written to `<runDir>/endpoints.json` for other processes. */
export interface StackEndpoints {
  topology: string;
  runDir: string;
  /** Token for the services' admin endpoints. */
  adminToken: string;
  components: Record<string, ComponentEndpoint>;
  /** One Toxiproxy proxy per topology edge, keyed by proxy name (`gateway-to-postgres`). */
  proxies: Record<string, ProxyEndpoint>;
  toxiproxy: { url: string };
  /** Supervisor API of the `process` runtime: the healer's actuator drives services through it. */
  supervisor: { url: string; token: string };
}

export interface ComponentEndpoint {
  type: 'postgres' | 'redis' | 'node';
  host: string;
  port: number;
  /** Direct address, bypassing Toxiproxy: `http://…`, `postgres://…` or `redis://…`. */
  url: string;
}

export interface ProxyEndpoint {
  from: string;
  to: string;
  listen: string;
  upstream: string;
}

export type ComponentState = 'starting' | 'running' | 'paused' | 'stopped' | 'exited';

export interface ComponentStatus {
  name: string;
  state: ComponentState;
  pid: number | undefined;
  /** How often the runtime has started this component in this run. */
  starts: number;
  exitCode?: number | null;
  exitSignal?: string | null;
}

export interface StartOptions {
  /** Folder of this run: logs, data directories, `endpoints.json`. */
  runDir: string;
  signal?: AbortSignal;
}

/**
 * A platform that runs a stack: local processes now, Docker containers later. Operations name a
 * component by its topology name and resolve once the change is observed, not merely requested.
 */
export interface Runtime {
  readonly name: 'process' | 'docker';
  start(topology: LoadedTopology, options: StartOptions): Promise<StackEndpoints>;
  /** Tears everything down. Safe to call twice. */
  stop(): Promise<void>;
  kill(component: string, signal?: NodeJS.Signals): Promise<void>;
  /** SIGSTOP on a process, `docker pause` on a container. */
  pause(component: string): Promise<void>;
  resume(component: string): Promise<void>;
  stopComponent(component: string): Promise<void>;
  startComponent(component: string): Promise<void>;
  restart(component: string): Promise<void>;
  status(): Promise<ComponentStatus[]>;
  pid(component: string): number | undefined;
  /** Resolves when every node service passes its readiness probe, or rejects after `timeoutMs`. */
  waitHealthy(timeoutMs: number): Promise<void>;
}
