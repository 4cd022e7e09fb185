import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type {
  ComponentState,
  ComponentStatus,
  Runtime,
  StackEndpoints,
} from '../../src/runtime/types.ts';

/** How to run one component of the test stack. */
export interface FixtureComponent {
  command: string;
  args: string[];
  env: Record<string, string>;
  /** URL that answers 200 once the component serves. */
  healthUrl: string;
}

interface Managed {
  spec: FixtureComponent;
  child?: ChildProcess;
  intent: 'running' | 'stopped';
  starts: number;
}

const CONFIRM_TIMEOUT_MS = 10_000;

/** Reads the state letter of a process from `/proc/<pid>/stat`: R, S, T (stopped), Z, … */
export function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = performance.now() + CONFIRM_TIMEOUT_MS;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function hasExited(child: ChildProcess | undefined): boolean {
  return child === undefined || child.exitCode !== null || child.signalCode !== null;
}

/**
 * A minimal `Runtime` over child processes for fault tests: it implements the component
 * operations that faults use and nothing of stack start-up, which `startFaultStack` does.
 */
export class FixtureRuntime implements Runtime {
  readonly name = 'process';
  readonly #components = new Map<string, Managed>();

  add(name: string, spec: FixtureComponent): void {
    this.#components.set(name, { spec, intent: 'stopped', starts: 0 });
  }

  async start(): Promise<StackEndpoints> {
    throw new Error('FixtureRuntime does not start stacks; use startFaultStack');
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#components.keys()].map((name) => this.stopComponent(name)));
  }

  #managed(component: string): Managed {
    const managed = this.#components.get(component);
    if (!managed) {
      const names = [...this.#components.keys()].join(', ');
      throw new Error(`unknown component "${component}"; components: ${names}`);
    }
    return managed;
  }

  #live(component: string): ChildProcess {
    const child = this.#managed(component).child;
    if (!child || hasExited(child)) throw new Error(`${component} is not running`);
    return child;
  }

  async kill(component: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.#live(component);
    child.kill(signal);
    await until(() => hasExited(child), `${component} exits after ${signal}`);
  }

  async pause(component: string): Promise<void> {
    const child = this.#live(component);
    child.kill('SIGSTOP');
    await until(() => procState(child.pid as number) === 'T', `${component} is stopped`);
  }

  async resume(component: string): Promise<void> {
    const child = this.#live(component);
    child.kill('SIGCONT');
    await until(() => procState(child.pid as number) !== 'T', `${component} continues`);
  }

  async stopComponent(component: string): Promise<void> {
    const managed = this.#managed(component);
    managed.intent = 'stopped';
    const child = managed.child;
    if (!child || hasExited(child)) return;
    if (procState(child.pid as number) === 'T') child.kill('SIGCONT');
    child.kill('SIGTERM');
    await until(() => hasExited(child), `${component} exits after SIGTERM`);
  }

  async startComponent(component: string): Promise<void> {
    const managed = this.#managed(component);
    if (managed.child && !hasExited(managed.child)) return;
    const { command, args, env } = managed.spec;
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: 'ignore' });
    managed.child = child;
    managed.intent = 'running';
    managed.starts += 1;
    await until(async () => {
      if (hasExited(child)) throw new Error(`${component} exited during start-up`);
      return (await fetch(managed.spec.healthUrl).catch(() => undefined))?.ok === true;
    }, `${component} answers ${managed.spec.healthUrl}`);
  }

  async restart(component: string): Promise<void> {
    await this.stopComponent(component);
    await this.startComponent(component);
  }

  #state(managed: Managed): ComponentState {
    const child = managed.child;
    if (!child || hasExited(child)) return managed.intent === 'stopped' ? 'stopped' : 'exited';
    return procState(child.pid as number) === 'T' ? 'paused' : 'running';
  }

  async status(): Promise<ComponentStatus[]> {
    return [...this.#components].map(([name, managed]) => ({
      name,
      state: this.#state(managed),
      pid: this.pid(name),
      starts: managed.starts,
    }));
  }

  pid(component: string): number | undefined {
    const child = this.#managed(component).child;
    return child && !hasExited(child) ? child.pid : undefined;
  }

  async waitHealthy(): Promise<void> {}
}
