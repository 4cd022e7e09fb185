import type { Logger } from 'pino';
import type { Toxiproxy } from 'toxiproxy-node-client';
import type { z } from 'zod';
import type { Runtime, StackEndpoints } from '../runtime/types.ts';

/** Target of a fault: one Toxiproxy proxy (a topology edge) or one component. */
export type FaultTargetType = 'edge' | 'component';

/** The proof that a fault took effect. */
export interface InjectResult {
  /** `monotonicNowMs()` taken when Toxiproxy or the runtime confirmed the fault, not when it was requested. */
  injectedAtMs: number;
  /** Evidence of the confirmation, for logs and the scorecard: the toxic as Toxiproxy stored it, the dead pid, … */
  detail: Record<string, unknown>;
}

/**
 * One fault, ready to apply. `inject` stops at the next step when its signal aborts, and rejects
 * with the signal's reason. `revert` undoes whatever part of the fault took effect: it is safe to
 * call before, during or after `inject`, after a failed `inject`, and more than once.
 */
export interface Fault {
  readonly name: string;
  readonly kind: string;
  readonly target: string;
  inject(signal: AbortSignal): Promise<InjectResult>;
  revert(): Promise<void>;
}

/** Services and clients that a fault may use while it runs. */
export interface FaultContext {
  runtime: Runtime;
  endpoints: StackEndpoints;
  toxiproxy: Toxiproxy;
  logger: Logger;
  /** How long a fault waits for the runtime or a service to confirm a change. Defaults to 10 s. */
  confirmTimeoutMs?: number;
}

/** One fault of an experiment after validation, with its name resolved. */
export interface FaultSpec<Params = Record<string, unknown>> {
  name: string;
  kind: string;
  target: string;
  /** When the fault starts, from the start of the method phase. */
  atMs: number;
  /** How long the fault stays active before it is reverted. */
  durationMs: number;
  params: Params;
}

/**
 * A fault kind, named after its YAML key. Every kind lives in its own module under `faults/` and
 * is listed in `registry.ts`.
 */
export interface FaultKind<Schema extends z.ZodType = z.ZodType> {
  kind: string;
  targetType: FaultTargetType;
  /** One line for `rebound faults` and error messages. */
  description: string;
  /** A strict object schema: unknown params are errors. */
  paramsSchema: Schema;
  /**
   * Whether a component can carry this fault, for component faults that need more than a name
   * (`model_deploy` needs a service with admin endpoints). Returns why not, or undefined.
   */
  rejectComponent?: (component: { type: string; admin?: boolean }) => string | undefined;
  create(spec: FaultSpec<z.output<Schema>>, context: FaultContext): Fault;
}

export const DEFAULT_CONFIRM_TIMEOUT_MS = 10_000;
