import type { ToxicType, Toxiproxy } from 'toxiproxy-node-client';
import { z } from 'zod';
import { monotonicNowMs } from '../../../common/src/clock.ts';
import { ratio } from '../../../common/src/config/fields.ts';
import { guardFault } from './guard.ts';
import type { Fault, FaultContext, FaultKind, FaultSpec } from './types.ts';

/** Params that every toxic takes besides its own attributes. */
const toxicParamsShape = {
  /** `downstream` acts on the responses (server to client), `upstream` on the requests. */
  direction: z.enum(['upstream', 'downstream']).default('downstream'),
  /** Share of connections the toxic affects. */
  toxicity: ratio().default(1),
};

type ToxicParams = { direction: 'upstream' | 'downstream'; toxicity: number };

interface ToxicKindOptions<Shape extends z.ZodRawShape> {
  kind: string;
  description: string;
  /** The toxic's own params, with times as durations (milliseconds once parsed). */
  attributes: Shape;
  /** Converts parsed params into the attributes that Toxiproxy stores, in its units. */
  toAttributes(params: z.output<z.ZodObject<Shape>>): Record<string, number>;
  /** A check across params that the shape cannot express. Returns a message and the param's name. */
  refine?: (params: z.output<z.ZodObject<Shape>>) => { param: string; message: string } | undefined;
}

/** Builds the descriptor of one Toxiproxy toxic type, whose YAML key is also its Toxiproxy type. */
export function defineToxicKind<Shape extends z.ZodRawShape>(options: ToxicKindOptions<Shape>) {
  const base = z.strictObject({ ...toxicParamsShape, ...options.attributes });
  const paramsSchema = base.superRefine((params, context) => {
    const problem = options.refine?.(params as z.output<z.ZodObject<Shape>>);
    if (problem)
      context.addIssue({ code: 'custom', path: [problem.param], message: problem.message });
  });

  const descriptor: FaultKind<typeof paramsSchema> = {
    kind: options.kind,
    targetType: 'edge',
    description: options.description,
    paramsSchema,
    create: (spec, context) =>
      createToxicFault(spec, context, {
        type: options.kind,
        attributes: options.toAttributes(spec.params as z.output<z.ZodObject<Shape>>),
        params: spec.params as ToxicParams,
      }),
  };
  return descriptor;
}

interface ToxicBody {
  name: string;
  type: string;
  stream: 'upstream' | 'downstream';
  toxicity: number;
  attributes: Record<string, number>;
}

function createToxicFault(
  spec: FaultSpec<unknown>,
  context: FaultContext,
  toxic: { type: string; attributes: Record<string, number>; params: ToxicParams },
): Fault {
  const body: ToxicBody = {
    name: toxicName(spec.name),
    type: toxic.type,
    stream: toxic.params.direction,
    toxicity: toxic.params.toxicity,
    attributes: toxic.attributes,
  };
  const logger = context.logger.child({ fault: spec.name, kind: spec.kind, proxy: spec.target });

  return guardFault(spec, {
    async apply(signal) {
      const proxy = await context.toxiproxy.get(spec.target);
      signal.throwIfAborted();
      const stored = await proxy.addToxic({ ...body, type: body.type as ToxicType });
      const mismatch = compareToxic(body, stored);
      if (mismatch) throw new Error(`Toxiproxy stored toxic ${body.name} differently: ${mismatch}`);
      const injectedAtMs = monotonicNowMs();
      logger.info({ toxic: body }, 'toxic added');
      return { injectedAtMs, detail: { proxy: spec.target, toxic: body } };
    },
    async undo() {
      if (await removeToxic(context.toxiproxy, spec.target, body.name)) {
        logger.info({ toxic: body.name }, 'toxic removed');
      }
    },
  });
}

/** Toxic name on the proxy. The `rebound-` prefix marks the toxics that Rebound added. */
export function toxicName(faultName: string): string {
  return `rebound-${faultName}`;
}

/** Returns what differs between the toxic as sent and as Toxiproxy returned it, or undefined. */
function compareToxic(
  sent: ToxicBody,
  stored: Omit<ToxicBody, 'attributes'> & { attributes: unknown },
) {
  const differences: string[] = [];
  for (const key of ['name', 'type', 'stream'] as const) {
    if (stored[key] !== sent[key])
      differences.push(`${key} ${stored[key]} instead of ${sent[key]}`);
  }
  if (Math.abs(stored.toxicity - sent.toxicity) > 1e-6) {
    differences.push(`toxicity ${stored.toxicity} instead of ${sent.toxicity}`);
  }
  const attributes = (stored.attributes ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(sent.attributes)) {
    if (attributes[key] !== value)
      differences.push(`${key} ${String(attributes[key])} instead of ${value}`);
  }
  return differences.length > 0 ? differences.join(', ') : undefined;
}

/** Deletes a toxic if it exists. Returns whether one was deleted; a missing proxy counts as none. */
async function removeToxic(
  toxiproxy: Toxiproxy,
  proxyName: string,
  name: string,
): Promise<boolean> {
  try {
    const proxy = await toxiproxy.get(proxyName);
    const toxic = await proxy.getToxic(name);
    await toxic.remove();
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

/**
 * Returns whether a toxiproxy-node-client error is an HTTP 404. The client (4.1) keeps only the message,
 * `Request failed with status code 404`, so the status is read from it.
 */
export function isNotFound(error: unknown): boolean {
  return error instanceof Error && /status code 404\b/.test(error.message);
}
