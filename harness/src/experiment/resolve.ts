import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseDurationMs } from '../../../common/src/config/fields.ts';
import {
  ConfigError,
  type ConfigProblem,
  readConfigText,
  readYaml,
  sortProblems,
  validateYaml,
} from '../../../common/src/config/load.ts';
import type { LoadedTopology } from '../../../common/src/topology.ts';
import { resolveFaultSpecs } from '../faults/registry.ts';
import type { SteadyState } from '../score/record.ts';
import {
  checkAbortConditions,
  checkFaultNames,
  checkFaultTargets,
  checkLoadTargets,
  checkSteadyState,
  checkTimeline,
  relativeTo,
  topologyOf,
} from './rules.ts';
import { experimentSchema, type WrittenExperiment } from './schema.ts';
import type { AbortCondition, ResolvedExperiment, ResolveOptions } from './types.ts';

/** Repository root: the default topology and healing policy live below it. */
export const REPO_ROOT = resolve(import.meta.dirname, '../../..');

/** File name of a topology's healing policy, beside the topology, used when `healer.policy` is unset. */
export const DEFAULT_POLICY_FILE = 'healer-policy.yaml';

/**
 * Loads, validates and resolves an experiment file. Throws one `ConfigError` with every problem:
 * schema problems, cross-field problems and problems caused by the overrides.
 */
export function loadExperiment(file: string, options: ResolveOptions = {}): ResolvedExperiment {
  return resolveExperimentText(readConfigText(file), file, options);
}

/** As `loadExperiment`, for text already read; `file` names it in problems and anchors its paths. */
export function resolveExperimentText(
  text: string,
  file: string,
  options: ResolveOptions = {},
): ResolvedExperiment {
  const path = resolve(file);
  const source = readYaml(text, file);
  const kind = (source.raw as { kind?: unknown } | undefined)?.kind;
  if (typeof kind === 'string' && kind !== 'Experiment') {
    const message = `this file is a ${kind}, not an experiment: expected kind: Experiment`;
    throw new ConfigError([source.problemAt(['kind'], message)]);
  }
  const { value, problems: schemaProblems } = validateYaml(source, experimentSchema);
  const { topology, problems: topologyProblems } = topologyOf(
    source,
    path,
    options.rootDir ?? REPO_ROOT,
  );

  const problems: ConfigProblem[] = [...source.problems, ...schemaProblems, ...topologyProblems];
  if (source.raw !== undefined) {
    problems.push(
      ...(topology ? checkFaultTargets(source, topology) : []),
      ...checkLoadTargets(source, path, topology),
      ...checkTimeline(source),
      ...checkSteadyState(source, topology),
      ...checkFaultNames(source),
      ...checkAbortConditions(source),
    );
  }
  const { overrides, problems: envProblems } = overridesOf(options);
  problems.push(...envProblems);
  if (problems.length > 0 || !value || !topology) throw new ConfigError(sortProblems(problems));

  const resolved = build(value, file, path, topology, overrides);
  if (resolved.healer.enabled && !existsSync(resolved.healer.policyFile)) {
    const where = value.healer.policy === undefined ? ['healer'] : ['healer', 'policy'];
    const hint = value.healer.policy === undefined ? '; set healer.policy or pass --no-healer' : '';
    throw new ConfigError([
      source.problemAt(where, `healing policy not found: ${resolved.healer.policyFile}${hint}`),
    ]);
  }
  return resolved;
}

interface Overrides {
  trials?: number;
  runtime?: 'process' | 'docker';
  healer?: boolean;
  seed?: number;
}

/** Reads `REBOUND_TRIALS`, `REBOUND_RUNTIME` and `REBOUND_SEED`; flags take precedence over them. */
function overridesOf(options: ResolveOptions): { overrides: Overrides; problems: ConfigProblem[] } {
  const env = options.env ?? process.env;
  const problems: ConfigProblem[] = [];
  const number = (name: string) => {
    const text = env[name];
    if (text === undefined || text === '') return undefined;
    if (/^[1-9]\d*$/.test(text)) return Number(text);
    problems.push(envProblem(name, `expected a whole number greater than 0, got "${text}"`));
    return undefined;
  };
  let runtime = env.REBOUND_RUNTIME || undefined;
  if (runtime !== undefined && runtime !== 'process' && runtime !== 'docker') {
    problems.push(envProblem('REBOUND_RUNTIME', `expected process or docker, got "${runtime}"`));
    runtime = undefined;
  }
  const overrides: Overrides = {
    trials: options.trials ?? number('REBOUND_TRIALS'),
    runtime: options.runtime ?? (runtime as Overrides['runtime']),
    healer: options.healer,
    seed: options.seed ?? number('REBOUND_SEED'),
  };
  return { overrides, problems };
}

function envProblem(name: string, message: string): ConfigProblem {
  return { file: 'environment', line: 1, column: 1, path: name, message };
}

function build(
  written: WrittenExperiment,
  displayFile: string,
  file: string,
  topology: LoadedTopology,
  overrides: Overrides,
): ResolvedExperiment {
  const { metadata, steadyState, healer, expectations } = written;
  const policy = healer.policy ?? join(topology.dir, DEFAULT_POLICY_FILE);
  return {
    name: metadata.name,
    file,
    displayFile,
    apiVersion: written.apiVersion,
    description: metadata.description,
    tags: metadata.tags,
    incident: metadata.incident,
    topology,
    runtime: overrides.runtime ?? written.target.runtime,
    load: {
      ...written.load,
      mix: written.load.mix.map((request) =>
        request.dataset === undefined
          ? request
          : { ...request, dataset: relativeTo(file, request.dataset) },
      ),
    },
    baselineMs: steadyState.baseline,
    holdWindowMs: steadyState.hold,
    bands: bandsOf(steadyState.slis),
    probeServices: steadyState.probe ?? nodeServices(topology),
    faults: resolveFaultSpecs(written.faults),
    healer: {
      enabled: overrides.healer === false ? false : healer.enabled,
      policyFile: healer.policy === undefined ? policy : relativeTo(file, policy),
      approval: {
        mode: healer.approval.mode,
        delayMs: healer.approval.delay,
        timeoutMs: healer.approval.timeout,
      },
    },
    expectations: {
      detectWithinMs: expectations.detectWithin,
      recoverWithinMs: expectations.recoverWithin,
      minAvailability: expectations.minAvailability,
      maxDataLoss: expectations.maxDataLoss,
      mustSelfHeal: expectations.mustSelfHeal,
      noFalseAlarms: expectations.noFalseAlarms,
      quality:
        expectations.quality === undefined
          ? undefined
          : { maxWrongAnswerRate: expectations.quality },
    },
    expectedOutcome: expectations.outcome,
    abort: written.abort.map(abortOf),
    trials: overrides.trials ?? written.trials,
    seed: overrides.seed ?? written.seed,
    dataLoss: {
      target: written.dataLoss.target,
      path: written.dataLoss.path,
      drainTimeoutMs: written.dataLoss.drainTimeout,
    },
  };
}

/** Bands in the scorer's units: ratios as they are, latencies in milliseconds. */
function bandsOf(slis: WrittenExperiment['steadyState']['slis']): SteadyState {
  const bands: SteadyState = {};
  for (const [name, band] of Object.entries(slis)) {
    if (band === undefined) continue;
    bands[name as keyof SteadyState] = { min: band.min, max: band.max };
  }
  return bands;
}

function abortOf(condition: WrittenExperiment['abort'][number]): AbortCondition {
  const limit = (value: number | string | undefined) =>
    typeof value === 'string' ? parseDurationMs(value) : value;
  return {
    sli: condition.sli,
    above: limit(condition.above),
    below: limit(condition.below),
    forMs: condition.for,
  };
}

function nodeServices(topology: LoadedTopology): string[] {
  return Object.entries(topology.components)
    .filter(([, component]) => component.type === 'node')
    .map(([name]) => name);
}
