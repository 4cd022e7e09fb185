import { z } from 'zod';
import { duration } from '../../../common/src/config/fields.ts';
import { proxyName, type Topology } from '../../../common/src/topology.ts';
import { bandwidth } from './bandwidth.ts';
import { kill } from './kill.ts';
import { latency } from './latency.ts';
import { limit_data } from './limit_data.ts';
import { model_deploy } from './model_deploy.ts';
import { pause } from './pause.ts';
import { proxy_down } from './proxy_down.ts';
import { reset_peer } from './reset_peer.ts';
import { restart } from './restart.ts';
import { slicer } from './slicer.ts';
import { slow_close } from './slow_close.ts';
import { stop } from './stop.ts';
import { timeout } from './timeout.ts';
import type { Fault, FaultContext, FaultKind, FaultSpec } from './types.ts';

/** Every fault kind, keyed by its YAML name. */
export const faultKinds = {
  latency,
  bandwidth,
  slow_close,
  timeout,
  reset_peer,
  slicer,
  limit_data,
  proxy_down,
  kill,
  pause,
  stop,
  restart,
  model_deploy,
} as const satisfies Record<string, FaultKind>;

export type FaultKindName = keyof typeof faultKinds;

const FAULT_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;

function faultOptionSchema<K extends FaultKindName>(kind: K) {
  const descriptor = faultKinds[kind];
  return z.strictObject({
    /** Names the fault in logs, the scorecard and its toxic; defaults to `<kind>-<target>`. */
    name: z
      .string()
      .regex(FAULT_NAME_PATTERN, { error: 'expected lower-case letters, digits, "-" and "_"' })
      .optional(),
    kind: z.literal(kind),
    /** A proxy name (`gateway-to-postgres`) for edge faults, a component name for component faults. */
    target: z.string({ error: 'required: the proxy or component the fault acts on' }).min(1),
    /** When the fault starts, from the start of the method phase. */
    at: duration(),
    /** How long the fault stays before it is reverted. */
    duration: duration(),
    params: (descriptor.paramsSchema as FaultKind['paramsSchema']).prefault({}),
  });
}

const kindNames = Object.keys(faultKinds) as FaultKindName[];

/**
 * One fault as an experiment writes it, discriminated on `kind` so that wrong params are reported
 * against that kind's own schema. Times come out in milliseconds; a missing `params` takes every
 * default of its kind.
 */
export const faultSpecSchema = z.discriminatedUnion(
  'kind',
  kindNames.map((kind) => faultOptionSchema(kind)) as unknown as [
    ReturnType<typeof faultOptionSchema<FaultKindName>>,
    ...ReturnType<typeof faultOptionSchema<FaultKindName>>[],
  ],
);

export type WrittenFaultSpec = z.output<typeof faultSpecSchema>;

/**
 * Gives every fault its name: the written one, or `<kind>-<target>`, with `-2`, `-3`, … added when
 * two faults would share a name. Names must be unique because they name toxics and ledger entries.
 */
export function resolveFaultSpecs(written: WrittenFaultSpec[]): FaultSpec[] {
  const usedNames = new Set(written.flatMap((spec) => (spec.name ? [spec.name] : [])));
  return written.map((spec) => {
    let name = spec.name;
    if (name === undefined) {
      const base = `${spec.kind}-${spec.target}`;
      name = base;
      for (let index = 2; usedNames.has(name); index += 1) name = `${base}-${index}`;
      usedNames.add(name);
    }
    return {
      name,
      kind: spec.kind,
      target: spec.target,
      atMs: spec.at,
      durationMs: spec.duration,
      params: spec.params as Record<string, unknown>,
    };
  });
}

/**
 * Checks a fault's target against the topology. Returns an error message that lists the allowed
 * targets, or undefined when the target fits the kind.
 */
export function checkFaultTarget(
  spec: Pick<WrittenFaultSpec, 'kind' | 'target'>,
  topology: Pick<Topology, 'components' | 'edges'>,
): string | undefined {
  const descriptor: FaultKind = faultKinds[spec.kind];
  if (descriptor.targetType === 'edge') {
    const proxies = topology.edges.map((edge) => proxyName(edge));
    if (proxies.includes(spec.target)) return undefined;
    return `unknown proxy "${spec.target}" for a ${spec.kind} fault; proxies: ${listOrNone(proxies)}`;
  }

  const eligible = Object.entries(topology.components)
    .filter(([, component]) => descriptor.rejectComponent?.(component) === undefined)
    .map(([name]) => name);
  const component = topology.components[spec.target];
  if (component === undefined) {
    return `unknown component "${spec.target}" for a ${spec.kind} fault; components: ${listOrNone(eligible)}`;
  }
  const reason = descriptor.rejectComponent?.(component);
  if (reason === undefined) return undefined;
  return `component "${spec.target}" cannot take a ${spec.kind} fault: it ${reason}; eligible: ${listOrNone(eligible)}`;
}

function listOrNone(names: string[]): string {
  return names.length > 0 ? names.join(', ') : '(none)';
}

/** Creates the fault that a resolved spec describes. */
export function createFault(spec: FaultSpec, context: FaultContext): Fault {
  const descriptor = faultKinds[spec.kind as FaultKindName] as FaultKind | undefined;
  if (!descriptor)
    throw new Error(`unknown fault kind "${spec.kind}"; kinds: ${kindNames.join(', ')}`);
  return descriptor.create(spec, context);
}
