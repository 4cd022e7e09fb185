import { existsSync, readdirSync } from 'node:fs';
import { dirname, isAbsolute, resolve, sep } from 'node:path';
import type { z } from 'zod';
import { formatDurationMs } from '../../../common/src/config/fields.ts';
import {
  ConfigError,
  type ConfigProblem,
  type YamlSource,
} from '../../../common/src/config/load.ts';
import { type LoadedTopology, loadTopology, proxyName } from '../../../common/src/topology.ts';
import { checkFaultTarget, faultSpecSchema } from '../faults/registry.ts';
import { type LoadSpec, loadSpecSchema } from '../load/spec.ts';
import { DEFAULT_TOPOLOGY, experimentSchema } from './schema.ts';

/**
 * Rules that span several sections of an experiment and that a schema cannot express: fault
 * targets and load targets exist in the topology, files exist, the fault timeline fits in the
 * load. Each rule reads only the sections it needs, each parsed on its own, so a broken section
 * elsewhere does not hide these problems: they are reported together with the schema's.
 */

const shape = experimentSchema.shape;

/** Parses one section of the raw document, or returns undefined when it is invalid. */
function section<S extends z.ZodType>(
  raw: unknown,
  key: string,
  schema: S,
): z.output<S> | undefined {
  const value = (raw as Record<string, unknown> | undefined)?.[key];
  const result = schema.safeParse(value);
  return result.success ? result.data : undefined;
}

/** Resolves a path written in the experiment against the experiment's folder. */
export function relativeTo(file: string, path: string): string {
  return isAbsolute(path) ? path : resolve(dirname(file), path);
}

export interface TopologyResult {
  topology: LoadedTopology | undefined;
  problems: ConfigProblem[];
}

/** Loads the topology that the experiment names, or the default one. */
export function topologyOf(source: YamlSource, file: string, rootDir: string): TopologyResult {
  if (source.raw === undefined) return { topology: undefined, problems: [] };
  const rawTarget = (source.raw as Record<string, unknown>).target;
  const target = section(source.raw, 'target', shape.target);
  // An invalid target section is already a schema problem; guessing the default topology would
  // add misleading problems on top of it.
  if (rawTarget !== undefined && target === undefined) return { topology: undefined, problems: [] };
  const written = target?.topology;
  const path =
    written === undefined ? resolve(rootDir, DEFAULT_TOPOLOGY) : relativeTo(file, written);
  try {
    return { topology: loadTopology(path), problems: [] };
  } catch (error) {
    const where = ['target', 'topology'];
    const reason =
      error instanceof ConfigError
        ? error.problems.map((p) => `${p.file}:${p.line}:${p.column} ${p.message}`).join('; ')
        : (error as Error).message;
    return {
      topology: undefined,
      problems: [source.problemAt(where, `invalid topology ${path}: ${reason}`)],
    };
  }
}

/** Checks that every fault's target exists in the topology and can carry that kind of fault. */
export function checkFaultTargets(source: YamlSource, topology: LoadedTopology): ConfigProblem[] {
  const raw = (source.raw as { faults?: unknown } | undefined)?.faults;
  if (!Array.isArray(raw)) return [];
  const problems: ConfigProblem[] = [];
  raw.forEach((item, index) => {
    const parsed = faultSpecSchema.safeParse(item);
    if (!parsed.success) return;
    const reason = checkFaultTarget(parsed.data, topology);
    if (reason === undefined) return;
    const mixUp = describeTargetMixUp(parsed.data, topology);
    problems.push(source.problemAt(['faults', index, 'target'], mixUp ?? reason));
  });
  return problems;
}

/**
 * Explains a fault target that names a component where the kind needs a proxy, or a proxy where
 * it needs a component, and suggests the proxies or components on the same path.
 */
function describeTargetMixUp(
  fault: Parameters<typeof checkFaultTarget>[0],
  topology: LoadedTopology,
): string | undefined {
  const fits = (target: string) => checkFaultTarget({ ...fault, target }, topology) === undefined;
  if (fault.target in topology.components) {
    const proxies = topology.edges
      .filter((edge) => edge.from === fault.target || edge.to === fault.target)
      .map((edge) => proxyName(edge))
      .filter(fits);
    if (proxies.length === 0) return undefined;
    return `"${fault.target}" is a component, but a ${fault.kind} fault targets a proxy; proxies of ${fault.target}: ${proxies.join(', ')}`;
  }
  const edge = topology.edges.find((candidate) => proxyName(candidate) === fault.target);
  if (edge === undefined) return undefined;
  const ends = [edge.from, edge.to].filter(fits);
  if (ends.length === 0) return undefined;
  return `"${fault.target}" is a proxy, but a ${fault.kind} fault targets a component, such as ${ends.join(' or ')}`;
}

/** Checks that every load request targets a component and that every dataset file exists. */
export function checkLoadTargets(
  source: YamlSource,
  file: string,
  topology: LoadedTopology | undefined,
): ConfigProblem[] {
  const load = section(source.raw, 'load', loadSpecSchema);
  if (!load) return [];
  const problems: ConfigProblem[] = [];
  const components = topology ? Object.keys(topology.components) : undefined;
  const dataLoss = section(source.raw, 'dataLoss', shape.dataLoss);
  const writes = load.mix.some((request) => request.acknowledges !== undefined);
  if (writes && dataLoss && components && !components.includes(dataLoss.target)) {
    problems.push(
      source.problemAt(
        ['dataLoss', 'target'],
        `unknown component "${dataLoss.target}" for the data-loss lookup; components: ${components.join(', ')}`,
      ),
    );
  }
  load.mix.forEach((request, index) => {
    if (components && !components.includes(request.target)) {
      problems.push(
        source.problemAt(
          ['load', 'mix', index, 'target'],
          `unknown component "${request.target}"; components: ${components.join(', ')}`,
        ),
      );
    }
    if (request.dataset !== undefined && !existsSync(relativeTo(file, request.dataset))) {
      problems.push(
        source.problemAt(['load', 'mix', index, 'dataset'], missingDataset(file, request.dataset)),
      );
    }
  });
  return problems;
}

/** Names the missing dataset file and the likely fix: a skipped setup, a typo or a wrong folder. */
function missingDataset(file: string, dataset: string): string {
  const path = relativeTo(file, dataset);
  const folder = dirname(path);
  if (existsSync(folder)) {
    const files = readdirSync(folder).filter((name) => name.endsWith('.jsonl'));
    const listed = files.length > 0 ? files.join(', ') : 'no .jsonl files';
    return `dataset file not found: ${path}; ${folder} contains ${listed}`;
  }
  const fix = path.split(sep).join('/').includes('/data/generated/')
    ? '`npm run setup` generates the data of the reference stack'
    : `the path is relative to the experiment's folder, ${dirname(resolve(file))}`;
  return `dataset file not found: ${path}; ${fix}`;
}

/**
 * The method starts after the load's warmup and the baseline window, and the last fault's end
 * plus the recovery hold window must still fall inside the load, or recovery cannot be observed.
 */
export function checkTimeline(source: YamlSource): ConfigProblem[] {
  const load: LoadSpec | undefined = section(source.raw, 'load', loadSpecSchema);
  const steady = section(source.raw, 'steadyState', shape.steadyState);
  const faults = section(source.raw, 'faults', shape.faults);
  if (!load || !steady || !faults) return [];

  const problems: ConfigProblem[] = [];
  if (faults.length > 0 && steady.baseline <= 0) {
    problems.push(
      source.problemAt(
        ['steadyState', 'baseline'],
        'the baseline window must be longer than 0s, so the steady state is checked before the first fault',
      ),
    );
  }
  const methodStartMs = load.warmup + steady.baseline;
  faults.forEach((fault, index) => {
    const neededMs = methodStartMs + fault.at + fault.duration + steady.hold;
    if (neededMs <= load.duration) return;
    problems.push(
      source.problemAt(
        ['faults', index, 'duration'],
        `the fault ends after the load: warmup ${formatDurationMs(load.warmup)} + baseline ` +
          `${formatDurationMs(steady.baseline)} + at ${formatDurationMs(fault.at)} + duration ` +
          `${formatDurationMs(fault.duration)} + hold ${formatDurationMs(steady.hold)} = ` +
          `${formatDurationMs(neededMs)}, but load.duration is ${formatDurationMs(load.duration)}; ` +
          `raise load.duration to at least ${formatDurationMs(neededMs)} or move the fault earlier`,
      ),
    );
  });
  return problems;
}

/** At least one SLI has a band, every band has `min` ≤ `max`, and probed services exist. */
export function checkSteadyState(
  source: YamlSource,
  topology: LoadedTopology | undefined,
): ConfigProblem[] {
  const steady = section(source.raw, 'steadyState', shape.steadyState);
  if (!steady) return [];
  const problems: ConfigProblem[] = [];
  const bands = Object.entries(steady.slis).filter(([, band]) => band !== undefined);
  if (bands.length === 0) {
    problems.push(
      source.problemAt(
        ['steadyState', 'slis'],
        'give at least one SLI a band, such as error_rate: {max: 0.01}; allowed SLIs: ' +
          Object.keys(shape.steadyState.shape.slis.shape).join(', '),
      ),
    );
  }
  for (const [name, band] of bands) {
    if (band?.min !== undefined && band.max !== undefined && band.min > band.max) {
      problems.push(
        source.problemAt(['steadyState', 'slis', name], 'min must not be greater than max'),
      );
    }
  }
  const components = topology ? Object.keys(topology.components) : undefined;
  steady.probe?.forEach((service, index) => {
    if (components && !components.includes(service)) {
      problems.push(
        source.problemAt(
          ['steadyState', 'probe', index],
          `unknown component "${service}"; components: ${components.join(', ')}`,
        ),
      );
    }
  });
  return problems;
}

/** Two faults with the same written name would share a toxic and a line in the scorecard. */
export function checkFaultNames(source: YamlSource): ConfigProblem[] {
  const faults = section(source.raw, 'faults', shape.faults);
  if (!faults) return [];
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  faults.forEach((fault, index) => {
    if (fault.name === undefined) return;
    if (seen.has(fault.name)) {
      problems.push(
        source.problemAt(
          ['faults', index, 'name'],
          `duplicate fault name "${fault.name}"; give each fault its own name`,
        ),
      );
    }
    seen.add(fault.name);
  });
  return problems;
}

/** Checks that an abort limit is a duration for latencies and a number for the other SLIs. */
export function checkAbortConditions(source: YamlSource): ConfigProblem[] {
  const abort = section(source.raw, 'abort', shape.abort);
  if (!abort) return [];
  const problems: ConfigProblem[] = [];
  abort.forEach((condition, index) => {
    const limits = (['above', 'below'] as const).filter((key) => condition[key] !== undefined);
    if (limits.length !== 1) {
      problems.push(source.problemAt(['abort', index], 'give exactly one of `above` or `below`'));
    }
    for (const key of limits) {
      const reason = abortLimitProblem(condition.sli, condition[key]);
      if (reason) problems.push(source.problemAt(['abort', index, key], reason));
    }
  });
  return problems;
}

export function abortLimitProblem(sli: string, limit: unknown): string | undefined {
  const isLatency = sli.startsWith('latency_');
  if (isLatency) {
    const valid = typeof limit === 'string' && /^\d+(\.\d+)?(ms|s|m|h)$/.test(limit);
    return valid ? undefined : `${sli} is a latency: write the limit with a unit, such as 800ms`;
  }
  if (!isLatency && typeof limit !== 'number') {
    return sli === 'throughput'
      ? 'throughput is in requests per second: write a number'
      : `${sli} is a ratio: write a number between 0 and 1`;
  }
  if (!isLatency && sli !== 'throughput' && ((limit as number) < 0 || (limit as number) > 1)) {
    return `${sli} is a ratio: write a number between 0 and 1`;
  }
  return undefined;
}
