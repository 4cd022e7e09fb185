import type { LaunchSpec } from './child.ts';

/**
 * What the runtime needs to know about one kind of component: how to launch it, how to probe it,
 * and the one-off steps before its first start and after its first healthy start.
 */
export interface ComponentDriver {
  readonly name: string;
  readonly type: 'postgres' | 'redis' | 'node' | 'toxiproxy';
  readonly port: number;
  /** Signal that asks the process to shut down cleanly; SIGKILL follows after the grace period. */
  readonly stopSignal: NodeJS.Signals;
  readonly startTimeoutMs: number;
  /** Runs once per run before the first launch, such as creating a data directory. */
  prepare(): Promise<void>;
  launchSpec(): LaunchSpec;
  /** Probes once and rejects with the reason when the component is not healthy. */
  probe(): Promise<void>;
  /** Runs once per run after the first healthy start, such as creating the database. */
  initialise(): Promise<void>;
}
