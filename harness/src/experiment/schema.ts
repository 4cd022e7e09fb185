import { z } from 'zod';
import { boolean, duration, ratio } from '../../../common/src/config/fields.ts';
import { faultSpecSchema } from '../faults/registry.ts';
import { loadSpecSchema } from '../load/spec.ts';

/**
 * The experiment file format (`apiVersion: rebound.dev/v1`, `kind: Experiment`), as written. The
 * JSON Schema in `schema/experiment.schema.json` is generated from this module (`npm run schema`),
 * so editors and the loader read one definition. Durations carry a unit and become milliseconds.
 */

export const EXPERIMENT_API_VERSION = 'rebound.dev/v1';

/** Default topology, relative to the repository root, when `target.topology` is left out. */
export const DEFAULT_TOPOLOGY = 'targets/ai-stack/topology.yaml';

const kebabName = z.string().regex(/^[a-z][a-z0-9-]*$/, {
  error: 'expected a lower-case name with dashes, such as vector-store-latency',
});

const metadataSchema = z.strictObject({
  name: kebabName,
  description: z.string().min(1).optional(),
  tags: z.array(kebabName).default([]),
  /** The real incident this experiment models, in a sentence or a link. */
  incident: z.string().min(1).optional(),
});

const targetSchema = z.strictObject({
  /** Topology file, relative to the experiment file. Defaults to the reference AI stack. */
  topology: z.string().min(1).optional(),
  runtime: z.enum(['process', 'docker']).default('process'),
});

const ratioBand = z.strictObject({ min: ratio().optional(), max: ratio().optional() });
const durationBand = z.strictObject({ min: duration().optional(), max: duration().optional() });
const rateBand = z.strictObject({
  min: z.number().nonnegative().optional(),
  max: z.number().nonnegative().optional(),
});

/** Steady-state bands, one per SLI. Latencies are durations, rates are ratios between 0 and 1. */
const slisSchema = z.strictObject({
  error_rate: ratioBand.optional(),
  latency_p50: durationBand.optional(),
  latency_p95: durationBand.optional(),
  latency_p99: durationBand.optional(),
  /** Successful requests per second. */
  throughput: rateBand.optional(),
  /** Ratio of readiness probes that succeeded. */
  probe: ratioBand.optional(),
});

const steadyStateSchema = z.strictObject({
  /** Window after the load's warmup in which every SLI must stay in its band before any fault. */
  baseline: duration().default(10_000),
  /** How long every SLI must stay in its band after a fault before it counts as recovered. */
  hold: duration().default(10_000),
  slis: slisSchema,
  /** Services whose readiness endpoint the prober checks; every node service when left out. */
  probe: z.array(z.string().min(1)).optional(),
});

/** Overrides of the policy's approval settings; a field left out keeps the policy's value. */
const approvalSchema = z.strictObject({
  /** `auto` grants, `deny` denies, `manual` waits for a person until the timeout. */
  mode: z.enum(['auto', 'deny', 'manual']).optional(),
  /** How long `auto` and `deny` wait before they decide, as a person would. */
  delay: duration().optional(),
  /** How long an approval may stay pending before it expires and nothing is done. */
  timeout: duration().optional(),
});

const healerSchema = z.strictObject({
  enabled: boolean().default(true),
  /** Healing policy file, relative to the experiment file; defaults to the topology's policy. */
  policy: z.string().min(1).optional(),
  approval: approvalSchema.prefault({}),
});

const expectationsSchema = z.strictObject({
  /** Every fault is detected within this time of its injection (TTD). */
  detectWithin: duration().optional(),
  /** Every fault's SLIs are back in their bands within this time of its injection (TTR). */
  recoverWithin: duration().optional(),
  /** Minimum ratio of successful requests while a fault is active. */
  minAvailability: ratio().optional(),
  /** Maximum count of acknowledged writes missing from the store at the end. */
  maxDataLoss: z.number().int().nonnegative().optional(),
  /** Recovery must happen while the fault is still active, so by the healer. */
  mustSelfHeal: boolean().optional(),
  /** No healer detection that no active fault explains. */
  noFalseAlarms: boolean().optional(),
  /** Maximum ratio of wrong answers among checked answers after recovery. */
  quality: ratio().optional(),
  /** `fail` marks an experiment that is meant to fail; it counts as correct when it does. */
  outcome: z.enum(['pass', 'fail']).default('pass'),
});

export const abortSliNames = [
  'error_rate',
  'latency_p50',
  'latency_p95',
  'latency_p99',
  'throughput',
  'probe',
] as const;

/** Stops the method early when an SLI stays beyond a limit, so a broken stack is not hammered. */
const abortConditionSchema = z.strictObject({
  sli: z.enum(abortSliNames),
  /** A ratio for error_rate and probe, a duration for latencies, requests per second for throughput. */
  above: z.union([z.number(), z.string()]).optional(),
  below: z.union([z.number(), z.string()]).optional(),
  /** How long the SLI must stay beyond the limit before the run aborts. */
  for: duration(),
});

/**
 * The data-loss check: after the load stops and `drainTimeout` passes, the harness posts the ids
 * of every acknowledged write (`{ids: [...]}`) to `target`'s `path`, which responds with
 * `{found: [...], missing: [...]}`. It runs only when a request of the load mix sets `acknowledges`.
 */
const dataLossSchema = z.strictObject({
  target: z.string().min(1).default('gateway'),
  path: z
    .string()
    .startsWith('/', { error: 'a path starts with /' })
    .default('/v1/documents/lookup'),
  drainTimeout: duration().default(10_000),
});

export const experimentSchema = z.strictObject({
  apiVersion: z.literal(EXPERIMENT_API_VERSION, {
    error: `expected apiVersion: ${EXPERIMENT_API_VERSION}`,
  }),
  kind: z.literal('Experiment', { error: 'expected kind: Experiment' }),
  metadata: metadataSchema.describe('Name, description, tags and the real incident it models'),
  target: targetSchema
    .prefault({})
    .describe('Topology file (default: the reference AI stack) and runtime'),
  load: loadSpecSchema.describe('Open-model load: rate, duration, warmup and the request mix'),
  steadyState: steadyStateSchema.describe(
    'SLI bands, the baseline window before the first fault and the recovery hold window',
  ),
  faults: z
    .array(faultSpecSchema)
    .default([])
    .describe(
      'Fault timeline; `at` counts from the start of the method, after warmup and baseline',
    ),
  healer: healerSchema.prefault({}).describe('Whether the healer runs, its policy and approvals'),
  expectations: expectationsSchema
    .prefault({})
    .describe('Promises scored into verdicts: TTD, TTR, availability, data loss, quality'),
  abort: z
    .array(abortConditionSchema)
    .default([])
    .describe('Stop the method early when an SLI stays beyond a limit'),
  trials: z.number().int().min(1).max(100).default(1).describe('How often the method runs'),
  /** Seed of every random choice, so a run can be repeated. */
  seed: z.number().int().nonnegative().default(1),
  dataLoss: dataLossSchema
    .prefault({})
    .describe('Where acknowledged writes are looked up after the load, and how long to wait first'),
});

/** An experiment as written, after schema validation: defaults filled, durations in milliseconds. */
export type WrittenExperiment = z.output<typeof experimentSchema>;
export type AbortConditionInput = WrittenExperiment['abort'][number];
export type SliBands = WrittenExperiment['steadyState']['slis'];
