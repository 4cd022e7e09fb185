import { z } from 'zod';
import {
  cleanupSchema,
  dataLossSchema,
  faultTargetSchema,
  phasesSchema,
  resolvedExperimentSchema,
  sliNames,
} from './record.ts';

/**
 * The scorecard: one versioned JSON document per experiment run, and the only input of every
 * renderer. Times are milliseconds on the run's monotonic clock; `tt*Ms` fields are durations.
 * Bump `SCORECARD_SCHEMA_VERSION` on any change that breaks a reader.
 */
export const SCORECARD_SCHEMA_VERSION = 1;

export const runStatuses = ['passed', 'failed', 'inconclusive', 'interrupted', 'errored'] as const;
export const runStatusSchema = z.enum(runStatuses);
export type RunStatus = z.infer<typeof runStatusSchema>;

/** Verdict of one expectation. `no_data` is never a pass. */
export const verdictSchema = z.object({
  name: z.string(),
  status: z.enum(['passed', 'failed', 'no_data']),
  observed: z.union([z.number(), z.boolean(), z.null()]),
  limit: z.union([z.number(), z.boolean(), z.null()]),
  unit: z.enum(['ms', 'ratio', 'count', 'boolean']),
  /** The reason for a failure or missing data, or a short statement of what was checked. */
  message: z.string(),
});
export type Verdict = z.infer<typeof verdictSchema>;

export const faultWindowSchema = z.object({
  requests: z.number(),
  successes: z.number(),
  /** Successful requests over all requests while the fault was active; null without requests. */
  availability: z.number().nullable(),
  latencyP50MedianMs: z.number().nullable(),
  latencyP95MaxMs: z.number().nullable(),
});

export const faultResultSchema = z.object({
  name: z.string(),
  kind: z.string(),
  target: faultTargetSchema,
  injected: z.boolean(),
  landed: z.boolean(),
  /** The evidence of impact: an SLI out of its band, the faulted path's counters, or errors. */
  landedBy: z.enum(['sli', 'path', 'errors']).optional(),
  impactSlis: z.array(z.object({ sli: z.enum(sliNames), value: z.number() })),
  tInjectMs: z.number().optional(),
  tImpactMs: z.number().optional(),
  tDetectMs: z.number().optional(),
  tAckMs: z.number().optional(),
  tMitigateMs: z.number().optional(),
  tRecoverMs: z.number().optional(),
  tRevertMs: z.number().optional(),
  ttdMs: z.number().optional(),
  ttaMs: z.number().optional(),
  ttmMs: z.number().optional(),
  ttrMs: z.number().optional(),
  /** Recovered while the fault was still active, so the healer restored service. */
  selfHealed: z.boolean(),
  detectedBy: z
    .object({ service: z.string(), signal: z.string(), incidentId: z.string() })
    .optional(),
  window: faultWindowSchema,
  injectError: z.string().optional(),
  revertError: z.string().optional(),
});
export type FaultResult = z.infer<typeof faultResultSchema>;

export const falseAlarmSchema = z.object({
  tMs: z.number(),
  service: z.string(),
  signal: z.string(),
  incidentId: z.string(),
});
export type FalseAlarm = z.infer<typeof falseAlarmSchema>;

export const trialResultSchema = z.object({
  trial: z.number().int().positive(),
  runId: z.string(),
  seed: z.number().int(),
  startedAtWall: z.string(),
  status: runStatusSchema,
  /** The reasons the status is not `passed`, one line each. */
  statusReasons: z.array(z.string()),
  phases: phasesSchema,
  sampleCount: z.number().int().nonnegative(),
  faults: z.array(faultResultSchema),
  falseAlarms: z.array(falseAlarmSchema),
  dataLoss: dataLossSchema.optional(),
  expectations: z.array(verdictSchema),
  cleanup: cleanupSchema.extend({ clean: z.boolean() }),
  error: z.string().optional(),
});
export type TrialResult = z.infer<typeof trialResultSchema>;

/** Spread of one duration over trials. `ci95` bounds the median, from a seeded bootstrap. */
export const statisticSchema = z.object({
  n: z.number().int().nonnegative(),
  p50: z.number(),
  p95: z.number(),
  min: z.number(),
  max: z.number(),
  ci95: z.object({ low: z.number(), high: z.number(), resamples: z.number().int() }),
});
export type Statistic = z.infer<typeof statisticSchema>;

export const faultStatisticsSchema = z.object({
  name: z.string(),
  trials: z.number().int(),
  landed: z.number().int(),
  detected: z.number().int(),
  recovered: z.number().int(),
  selfHealed: z.number().int(),
  ttdMs: statisticSchema.nullable(),
  ttaMs: statisticSchema.nullable(),
  ttmMs: statisticSchema.nullable(),
  ttrMs: statisticSchema.nullable(),
});
export type FaultStatistics = z.infer<typeof faultStatisticsSchema>;

export const regressionSchema = z.object({
  fault: z.string(),
  metric: z.enum(['ttdMs', 'ttrMs']),
  quantile: z.enum(['p50', 'p95']),
  baselineMs: z.number().nullable(),
  currentMs: z.number().nullable(),
  message: z.string(),
});
export type Regression = z.infer<typeof regressionSchema>;

export const baselineComparisonSchema = z.object({
  file: z.string(),
  baselineRunId: z.string(),
  tolerance: z.object({ relative: z.number(), absoluteMs: z.number() }),
  failOnRegression: z.boolean(),
  regressions: z.array(regressionSchema),
});
export type BaselineComparison = z.infer<typeof baselineComparisonSchema>;

export const environmentSchema = z.object({
  node: z.string(),
  os: z.string(),
  arch: z.string(),
  cpus: z.number().int(),
  cpuModel: z.string(),
  runtime: z.enum(['process', 'docker']),
  reboundVersion: z.string(),
});
export type Environment = z.infer<typeof environmentSchema>;

export const scorecardSchema = z.object({
  schemaVersion: z.literal(SCORECARD_SCHEMA_VERSION),
  runId: z.string(),
  generatedAtWall: z.string(),
  experiment: resolvedExperimentSchema,
  environment: environmentSchema,
  trials: z.array(trialResultSchema),
  statistics: z.object({ faults: z.array(faultStatisticsSchema) }),
  /** Each expectation over all trials: failed if any trial failed it, no_data if any lacked data. */
  expectations: z.array(verdictSchema),
  cleanup: z.object({ clean: z.boolean(), problems: z.array(z.string()) }),
  status: runStatusSchema,
  statusReasons: z.array(z.string()),
  /** Whether the status is what the experiment expects: `failed` for an expected-failure one. */
  asExpected: z.boolean(),
  baseline: baselineComparisonSchema.optional(),
  /** Files of the run, relative to the scorecard's folder. */
  artifacts: z.object({ eventsJsonl: z.string().optional() }),
});
export type Scorecard = z.infer<typeof scorecardSchema>;

/** Several experiments run together. An expected failure that failed counts as correct. */
export const suiteResultSchema = z.object({
  schemaVersion: z.literal(SCORECARD_SCHEMA_VERSION),
  runId: z.string(),
  generatedAtWall: z.string(),
  scorecards: z.array(scorecardSchema),
  /** `passed` when every experiment ended as expected; otherwise the worst unexpected status. */
  status: runStatusSchema,
  correct: z.number().int(),
  total: z.number().int(),
});
export type SuiteResult = z.infer<typeof suiteResultSchema>;

/** Returns the scorecard's JSON Schema (draft 2020-12), for consumers that validate it. */
export function scorecardJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(scorecardSchema, { io: 'output', target: 'draft-2020-12' });
  const { $schema, ...rest } = schema as Record<string, unknown>;
  return {
    $schema,
    title: `Rebound scorecard, schema version ${SCORECARD_SCHEMA_VERSION}`,
    ...rest,
  };
}
