import { z } from 'zod';
import { healerEventSchema } from '../../../common/src/events.ts';

/**
 * `RunRecord`, the typed input of scoring: everything one trial of an experiment observed. The
 * runner fills it; the scorer reads nothing else. All times (`...Ms` fields whose names start with
 * `t` or end in `AtMs`) are milliseconds on the run's monotonic clock, counted from the run's start.
 * Durations are milliseconds too. Latencies are milliseconds, rates and ratios are between 0 and 1.
 *
 * Each part is a zod schema so that a record written to disk can be validated when read back, and so
 * that the scorecard's JSON Schema can embed the resolved experiment.
 */

/** SLIs that a steady-state band can bound. */
export const sliNames = [
  'error_rate',
  'latency_p50',
  'latency_p95',
  'latency_p99',
  'throughput',
  'probe',
] as const;
export type SliName = (typeof sliNames)[number];

/**
 * Bounds of one SLI in steady state, inclusive. `error_rate` is a ratio, `latency_*` are
 * milliseconds, `throughput` is successful requests per second, `probe` is the ratio of health
 * probes that succeeded in the sample's interval.
 */
export const bandSchema = z.object({
  min: z.number().optional(),
  max: z.number().optional(),
});
export type Band = z.infer<typeof bandSchema>;

/** The steady-state hypothesis: a band per SLI. SLIs without a band are not checked. */
export const steadyStateSchema = z.partialRecord(z.enum(sliNames), bandSchema);
export type SteadyState = z.infer<typeof steadyStateSchema>;

/**
 * The promises of an experiment. Each field that is set becomes one verdict in the scorecard; a field
 * left unset is not checked. Time limits apply to every fault of the experiment.
 */
export const expectationsSchema = z.object({
  /** Every fault is detected within this many ms of its injection (TTD). */
  detectWithinMs: z.number().nonnegative().optional(),
  /** Every fault's SLIs are back in their bands within this many ms of its injection (TTR). */
  recoverWithinMs: z.number().nonnegative().optional(),
  /** Minimum ratio of successful requests while each fault is active. */
  minAvailability: z.number().min(0).max(1).optional(),
  /** Maximum count of acknowledged writes missing from the store at the end. */
  maxDataLoss: z.number().int().nonnegative().optional(),
  /** Every fault must be recovered from while it is still active, so by the healer. */
  mustSelfHeal: z.boolean().optional(),
  /** No healer detection that no active fault explains. */
  noFalseAlarms: z.boolean().optional(),
  /** Answer quality after recovery: maximum ratio of wrong answers among checked answers. */
  quality: z.object({ maxWrongAnswerRate: z.number().min(0).max(1) }).optional(),
});
export type Expectations = z.infer<typeof expectationsSchema>;

/** The target of a fault: a service (kill, pause, bad deploy) or an edge's Toxiproxy proxy. */
export const faultTargetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('service'), service: z.string() }),
  z.object({ kind: z.literal('edge'), from: z.string(), to: z.string() }),
]);
export type FaultTarget = z.infer<typeof faultTargetSchema>;

/** One fault as the resolved experiment plans it. */
export const faultSpecSchema = z.object({
  name: z.string(),
  /** The fault kind, named after its YAML key, such as `latency`, `kill` or `bad-deploy`. */
  kind: z.string(),
  target: faultTargetSchema,
  /** When the fault is injected, in ms after the method phase starts. */
  atMs: z.number().nonnegative(),
  /** How long the fault stays active before it is reverted. */
  durationMs: z.number().nonnegative(),
  /** Kind-specific settings, such as `latencyMs` or `toxicity`. */
  params: z.record(z.string(), z.unknown()).default({}),
});
export type FaultSpec = z.infer<typeof faultSpecSchema>;

/** The resolved experiment, as much of it as scoring and reports need. */
export const resolvedExperimentSchema = z.object({
  name: z.string(),
  /** The YAML file it came from, as given on the command line. */
  file: z.string(),
  apiVersion: z.string(),
  description: z.string().optional(),
  /** `fail` marks an experiment that is meant to fail, such as one run with the healer off. */
  expectedOutcome: z.enum(['pass', 'fail']).default('pass'),
  steadyState: steadyStateSchema,
  expectations: expectationsSchema,
  faults: z.array(faultSpecSchema),
  healer: z.object({
    enabled: z.boolean(),
    /** How approvals are answered: `auto` grants, `deny` denies, `manual` waits for a person. */
    approvalPolicy: z.enum(['auto', 'deny', 'manual']).optional(),
    approvalTimeoutMs: z.number().nonnegative().optional(),
  }),
  load: z.object({
    /** Requests per second the load generator aims at. */
    rps: z.number().positive().optional(),
    warmupMs: z.number().nonnegative(),
    durationMs: z.number().nonnegative(),
  }),
  /** How long every SLI must stay in its band before a fault counts as recovered. */
  holdWindowMs: z.number().nonnegative(),
  /** A detection this soon after a fault's revert is still explained by that fault. */
  falseAlarmGraceMs: z.number().nonnegative().default(10_000),
  trials: z.number().int().positive().default(1),
});
export type ResolvedExperiment = z.infer<typeof resolvedExperimentSchema>;

/**
 * One SLI sample, taken by the harness from its load generator and probes. A sample covers the
 * interval `(tMs - intervalMs, tMs]`. Values are `null` when nothing in the interval measured them,
 * for example latencies when no request completed.
 */
export const sliSampleSchema = z.object({
  tMs: z.number(),
  intervalMs: z.number().positive().default(1_000),
  requests: z.number().int().nonnegative(),
  successes: z.number().int().nonnegative(),
  /** Failed requests by kind, such as `timeout`, `http_5xx` or `connection`. */
  errorsByKind: z.record(z.string(), z.number().int().nonnegative()).default({}),
  errorRate: z.number().min(0).max(1).nullable(),
  latencyP50Ms: z.number().nonnegative().nullable(),
  latencyP95Ms: z.number().nonnegative().nullable(),
  latencyP99Ms: z.number().nonnegative().nullable(),
  /** Successful requests per second over the interval. */
  throughputRps: z.number().nonnegative(),
  /** Ratio of health probes that succeeded, or null when no probe ran. */
  probe: z.number().min(0).max(1).nullable().default(null),
  /** Answers checked against a known right answer, and how many of them were wrong. */
  answersChecked: z.number().int().nonnegative().optional(),
  wrongAnswers: z.number().int().nonnegative().optional(),
});
export type SliSample = z.infer<typeof sliSampleSchema>;
export type SliSampleInput = z.input<typeof sliSampleSchema>;

/** The outcome of one planned fault: when it was injected and reverted, and any error. */
export const faultRecordSchema = z.object({
  name: z.string(),
  kind: z.string(),
  target: faultTargetSchema,
  plannedAtMs: z.number(),
  plannedDurationMs: z.number().nonnegative(),
  /** When Toxiproxy or the runtime confirmed the fault. Unset if the inject failed. */
  injectedAtMs: z.number().optional(),
  revertedAtMs: z.number().optional(),
  injectError: z.string().optional(),
  revertError: z.string().optional(),
  /**
   * First time the faulted path's own counters moved after the inject, such as a request through
   * the faulted proxy that failed or slowed, if the runner observed it. It makes the fault landed
   * even when no SLI left its band.
   */
  pathImpactAtMs: z.number().optional(),
});
export type FaultRecord = z.infer<typeof faultRecordSchema>;

/** A healer event placed on the run's timeline. */
export const timedHealerEventSchema = healerEventSchema.extend({ tMs: z.number() });
export type TimedHealerEvent = z.infer<typeof timedHealerEventSchema>;

/** Writes the stack acknowledged, checked against its store at the end of the trial. */
export const dataLossSchema = z.object({
  acknowledged: z.number().int().nonnegative(),
  found: z.number().int().nonnegative(),
  /** Ids of acknowledged writes that were not found. */
  missing: z.array(z.string()),
});
export type DataLoss = z.infer<typeof dataLossSchema>;

/** The state left after every fault was reverted. Empty lists mean a clean slate. */
export const cleanupSchema = z.object({
  toxicsLeft: z.array(z.string()),
  unhealthy: z.array(z.string()),
  /** Processes left killed or stopped that the runtime did not bring back. */
  stoppedProcesses: z.array(z.string()),
});
export type Cleanup = z.infer<typeof cleanupSchema>;

export const phasesSchema = z.object({
  baselineStartMs: z.number(),
  baselineEndMs: z.number(),
  methodStartMs: z.number(),
  methodEndMs: z.number(),
  /** When the last fault was reverted. Unset if the run stopped before that. */
  revertedAtMs: z.number().optional(),
  endMs: z.number(),
});
export type Phases = z.infer<typeof phasesSchema>;

export const runRecordSchema = z.object({
  experiment: resolvedExperimentSchema,
  runId: z.string(),
  /** Trial number, from 1. */
  trial: z.number().int().positive(),
  seed: z.number().int(),
  /** Wall-clock time at the run's monotonic zero, ISO 8601. */
  startedAtWall: z.string(),
  runtime: z.enum(['process', 'docker']),
  phases: phasesSchema,
  samples: z.array(sliSampleSchema),
  faults: z.array(faultRecordSchema),
  healerEvents: z.array(timedHealerEventSchema),
  /** Unset when the experiment did not check for data loss. */
  dataLoss: dataLossSchema.optional(),
  cleanup: cleanupSchema,
  /** Dependency edges of the topology: `from` calls `to`. */
  topologyEdges: z.array(z.object({ from: z.string(), to: z.string() })),
  interrupted: z.boolean(),
  /** Set when the harness or the stack failed during the trial. */
  error: z.string().optional(),
});
export type RunRecord = z.infer<typeof runRecordSchema>;
/** A record as a runner may write it, with defaults not yet filled in. */
export type RunRecordInput = z.input<typeof runRecordSchema>;
