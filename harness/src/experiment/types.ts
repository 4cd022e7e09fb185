import type { LoadedTopology } from '../../../common/src/topology.ts';
import type { FaultSpec } from '../faults/types.ts';
import type { LoadSpec } from '../load/spec.ts';
import type { Expectations, SliName, SteadyState } from '../score/record.ts';

/** An abort condition with its limit in the SLI's own unit (ms for latencies). */
export interface AbortCondition {
  sli: SliName;
  above?: number;
  below?: number;
  forMs: number;
}

/**
 * An experiment ready to run: defaults, environment and command-line flags applied, paths
 * absolute, the topology loaded, and every cross-field rule checked.
 */
export interface ResolvedExperiment {
  name: string;
  /** Absolute path of the experiment file. */
  file: string;
  /** The file as the user named it, for messages and reports. */
  displayFile: string;
  apiVersion: string;
  description?: string;
  tags: string[];
  incident?: string;
  topology: LoadedTopology;
  runtime: 'process' | 'docker';
  /** The load section with dataset paths made absolute. */
  load: LoadSpec;
  baselineMs: number;
  holdWindowMs: number;
  bands: SteadyState;
  /** Services whose readiness endpoint the prober checks. */
  probeServices: string[];
  faults: FaultSpec[];
  healer: {
    enabled: boolean;
    /** Absolute path of the healing policy. */
    policyFile: string;
    /** Overrides of the policy's approval settings; unset fields keep the policy's values. */
    approval: { mode?: 'auto' | 'deny' | 'manual'; delayMs?: number; timeoutMs?: number };
  };
  expectations: Expectations;
  expectedOutcome: 'pass' | 'fail';
  abort: AbortCondition[];
  trials: number;
  seed: number;
  /** Lookup of acknowledged writes: component, path, and the wait before it. */
  dataLoss: { target: string; path: string; drainTimeoutMs: number };
}

/** Overrides from the command line and the environment; the command line wins. */
export interface ResolveOptions {
  trials?: number;
  runtime?: 'process' | 'docker';
  /** `false` for `--no-healer`. */
  healer?: boolean;
  seed?: number;
  /** Environment to read `REBOUND_*` overrides from; `process.env` by default. */
  env?: NodeJS.ProcessEnv;
  /** Repository root, where the default topology lives. */
  rootDir?: string;
}
