import { z } from 'zod';
import { boolean, duration, ratio } from '../../../../common/src/config/fields.ts';

/**
 * The healer's policy file: how to observe the stack (telemetry), what counts as broken
 * (detectors), what to do about it (playbooks) and who must agree first (approvals).
 */
const name = z.string().regex(/^[a-z][a-z0-9-]*$/, {
  error: 'expected a lower-case name of letters, digits and dashes',
});

const probeSettingsSchema = z.strictObject({
  path: z.string().startsWith('/'),
  timeout: duration(),
});

const canarySchema = z.strictObject({
  /** JSONL file of `{"id","text","label"}`, relative to the policy file. */
  golden: z.string(),
  /** The service whose `POST /v1/classify` the canary calls. */
  via: z.string().default('gateway'),
  /** The service that quality detections name. */
  service: z.string().default('model'),
  interval: duration().default(2_000),
  batchSize: z.int().positive().default(8),
  timeout: duration().default(2_000),
  /** How many recent results per model version the quality detectors look at. */
  window: z.int().positive().default(200),
});

const telemetrySchema = z.strictObject({
  probeInterval: duration().default(500),
  /** Delay before re-probing after a failure, so a failure is confirmed without a full interval. */
  confirmInterval: duration().default(100),
  liveness: probeSettingsSchema.default({ path: '/healthz', timeout: 400 }),
  readiness: probeSettingsSchema.default({ path: '/readyz', timeout: 1_500 }),
  scrapeInterval: duration().default(1_000),
  scrapeTimeout: duration().default(800),
  canary: canarySchema.optional(),
});

/** The origin of a numeric signal: a metric, probe latency or the canary. */
const metricSourceSchema = z.strictObject({
  metric: z
    .string()
    .regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, { error: 'expected a Prometheus metric name' }),
  /**
   * `gauge`: the current value, summed over matching series. `rate`: a counter's increase per
   * second. `mean`: Δ`<metric>_sum` / Δ`<metric>_count` of a histogram or summary. `ratio`:
   * Δmetric / Δ`denominator`.
   */
  kind: z.enum(['gauge', 'rate', 'mean', 'ratio']).default('gauge'),
  labels: z.record(z.string(), z.string()).default({}),
  denominator: z.string().optional(),
});

const probeSourceSchema = z.strictObject({
  /** Mean latency in milliseconds of the last `samples` probes of this kind. */
  probeLatency: z.enum(['liveness', 'readiness']),
  samples: z.int().positive().default(3),
});

const canarySourceSchema = z.strictObject({
  canary: z.enum(['latency', 'errorRate']),
});

export const sourceSchema = z.union([metricSourceSchema, probeSourceSchema, canarySourceSchema]);

const base = {
  name,
  /** Services this detector watches; probe detectors default to every node service. */
  services: z.array(z.string()).min(1).optional(),
  /** Signal name on `detected` events; defaults per detector type. */
  signal: z.string().optional(),
};

const probeDetectorSchema = z.strictObject({
  ...base,
  type: z.literal('probe'),
  probe: z.enum(['liveness', 'readiness']).default('liveness'),
  failures: z.int().min(1).default(2),
  successes: z.int().min(1).default(1),
});

const thresholdDetectorSchema = z.strictObject({
  ...base,
  type: z.literal('threshold'),
  source: sourceSchema,
  above: z.number().optional(),
  below: z.number().optional(),
  for: duration().default(0),
  clearFor: duration().default(1_000),
});

const ewmaDetectorSchema = z.strictObject({
  ...base,
  type: z.literal('ewma'),
  source: sourceSchema,
  alpha: ratio().default(0.1),
  /** Fire when a sample is more than `k` standard deviations above the moving mean. */
  k: z.number().positive().default(4),
  warmup: z.int().positive().default(20),
  consecutive: z.int().positive().default(3),
  /** Standard deviation floor, in the source's unit, so a flat baseline does not fire on noise. */
  minStdDev: z.number().nonnegative().default(0),
  /** A sample must also exceed this absolute value to count. */
  minValue: z.number().default(Number.NEGATIVE_INFINITY),
});

const cusumDetectorSchema = z.strictObject({
  ...base,
  type: z.literal('cusum'),
  source: sourceSchema,
  /** Slack in standard deviations: drifts smaller than this are ignored. */
  k: z.number().nonnegative().default(0.5),
  /** Decision threshold in standard deviations. */
  h: z.number().positive().default(8),
  warmup: z.int().positive().default(20),
  minStdDev: z.number().nonnegative().default(0),
});

const burnRateDetectorSchema = z.strictObject({
  ...base,
  type: z.literal('burn-rate'),
  errors: metricSourceSchema.omit({ kind: true, denominator: true }),
  total: metricSourceSchema.omit({ kind: true, denominator: true }),
  /**
   * Requests rejected on purpose, such as load shedding, which count neither as errors nor as
   * requests: otherwise a shed-load mode would keep burning the budget it was switched on to save.
   */
  excluded: metricSourceSchema.omit({ kind: true, denominator: true }).optional(),
  objective: ratio(),
  shortWindow: duration().default(5_000),
  longWindow: duration().default(30_000),
  /** Fire when both windows burn the error budget this many times faster than allowed. */
  factor: z.number().positive().default(14.4),
  minEvents: z.int().nonnegative().default(20),
});

const accuracyDetectorSchema = z.strictObject({
  ...base,
  type: z.literal('canary-accuracy'),
  /** Fire when accuracy falls this much below the baseline model version's. */
  drop: ratio().default(0.15),
  minSamples: z.int().positive().default(24),
});

const driftDetectorSchema = z.strictObject({
  ...base,
  type: z.literal('canary-drift'),
  /** Population stability index of the confidence distribution; 0.25 is the usual "major shift". */
  psi: z.number().positive().default(0.25),
  /** Two-sample Kolmogorov–Smirnov p-value below which the distributions differ. */
  ksPValue: ratio().default(0.001),
  bins: z.int().min(2).default(10),
  minSamples: z.int().positive().default(40),
});

const stallDetectorSchema = z.strictObject({
  ...base,
  type: z.literal('stall'),
  /** A gauge such as a queue lag that should not keep growing while the service is live. */
  source: metricSourceSchema,
  /** Fire when the gauge rose by at least this much over `for` and never fell. */
  minIncrease: z.number().positive(),
  for: duration().default(5_000),
});

export const detectorSchema = z.discriminatedUnion('type', [
  probeDetectorSchema,
  thresholdDetectorSchema,
  ewmaDetectorSchema,
  cusumDetectorSchema,
  burnRateDetectorSchema,
  accuracyDetectorSchema,
  driftDetectorSchema,
  stallDetectorSchema,
]);

export const actionNames = [
  'restart',
  'kill',
  'degrade',
  'shed-load',
  'cache.clear',
  'model.rollback',
  'reindex',
  'schema.change',
] as const;

const playbookSchema = z.strictObject({
  name,
  /** Detector names whose detections start this playbook. */
  on: z.array(name).min(1),
  action: z.enum(actionNames),
  /** Service acted on; defaults to the service the detection names. */
  target: z.string().optional(),
  /** Gateway degraded mode for `degrade`. */
  mode: z.enum(['no-neighbours', 'previous-model', 'shed-load']).optional(),
  cooldown: duration().default(5_000),
  maxAttempts: z.int().positive().default(3),
  backoff: z
    .strictObject({
      initial: duration().default(1_000),
      factor: z.number().min(1).default(2),
      max: duration().default(30_000),
    })
    .prefault({}),
  /** Window after an action in which the signal must clear, or the next attempt starts. */
  verify: z
    .strictObject({
      within: duration().default(10_000),
      /** Detector that must be clear; defaults to the one that fired. */
      detector: name.optional(),
    })
    .prefault({}),
  /**
   * Undo the action (leave the degraded mode) once the triggering signal clears, whether or not the
   * playbook escalated, and when the healer shuts down.
   */
  revert: boolean().default(false),
  /** How long the triggering signal must stay clear, without a break, before the revert. */
  revertHold: duration().default(5_000),
  /**
   * Maximum time a reverted mode stays on: after it, the mode is switched off even though the
   * signal still fires, and the playbook escalates. Unset means until the signal clears.
   */
  revertAfter: duration().optional(),
  /**
   * Playbooks that go first: while one of them remediates any target, or acted (or undid its
   * action) less than `deferFor` ago, this playbook waits, then acts only if its signal still
   * fires. Keeps a broad remedy (shed-load) from reacting to errors that a narrow one (restart,
   * degrade), or its switching, caused or is about to fix.
   */
  deferTo: z.array(name).default([]),
  deferFor: duration().default(10_000),
  /** Share of classify requests that `shed-load` rejects. */
  ratio: ratio().optional(),
});

const approvalsSchema = z.strictObject({
  mode: z.enum(['auto', 'deny', 'manual']).default('manual'),
  timeout: duration().default(30_000),
  /** In `auto` mode, how long the policy waits before granting, to model a human. */
  delay: duration().default(0),
  requiredFor: z.array(z.enum(actionNames)).default(['model.rollback', 'reindex', 'schema.change']),
});

export const policySchema = z
  .strictObject({
    apiVersion: z.literal('rebound.dev/v1'),
    kind: z.literal('HealerPolicy'),
    telemetry: telemetrySchema.prefault({}),
    detectors: z.array(detectorSchema).default([]),
    playbooks: z.array(playbookSchema).default([]),
    approvals: approvalsSchema.prefault({}),
  })
  .superRefine(checkReferences);

type PolicyShape = {
  detectors: Array<{ name: string; type: string; above?: number; below?: number }>;
  playbooks: Array<{
    name: string;
    on: string[];
    action: string;
    mode?: string;
    verify: { detector?: string };
    deferTo: string[];
  }>;
};

/** Cross-field rules: names unique, playbooks refer to existing detectors, thresholds set. */
function checkReferences(policy: PolicyShape, context: z.RefinementCtx): void {
  const detectorNames = policy.detectors.map((detector) => detector.name);
  const known = detectorNames.join(', ') || '(none)';
  policy.detectors.forEach((detector, index) => {
    if (detectorNames.indexOf(detector.name) !== index) {
      context.addIssue({
        code: 'custom',
        path: ['detectors', index, 'name'],
        message: `duplicate detector name "${detector.name}"`,
      });
    }
    if (
      detector.type === 'threshold' &&
      detector.above === undefined &&
      detector.below === undefined
    ) {
      context.addIssue({
        code: 'custom',
        path: ['detectors', index],
        message: 'a threshold detector needs `above` or `below`',
      });
    }
  });
  policy.playbooks.forEach((playbook, index) => {
    playbook.on.forEach((detectorName, position) => {
      if (!detectorNames.includes(detectorName)) {
        context.addIssue({
          code: 'custom',
          path: ['playbooks', index, 'on', position],
          message: `unknown detector "${detectorName}"; detectors: ${known}`,
        });
      }
    });
    const verifyDetector = playbook.verify.detector;
    if (verifyDetector !== undefined && !detectorNames.includes(verifyDetector)) {
      context.addIssue({
        code: 'custom',
        path: ['playbooks', index, 'verify', 'detector'],
        message: `unknown detector "${verifyDetector}"; detectors: ${known}`,
      });
    }
    const playbookNames = policy.playbooks.map((candidate) => candidate.name);
    playbook.deferTo.forEach((other, position) => {
      if (!playbookNames.includes(other) || other === playbook.name) {
        context.addIssue({
          code: 'custom',
          path: ['playbooks', index, 'deferTo', position],
          message: `unknown playbook "${other}"; name another playbook: ${playbookNames.filter((candidate) => candidate !== playbook.name).join(', ') || '(none)'}`,
        });
      }
    });
    if (playbook.action === 'degrade' && playbook.mode === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['playbooks', index],
        message: 'a degrade playbook needs `mode`: no-neighbours, previous-model or shed-load',
      });
    }
  });
}

export type Policy = z.output<typeof policySchema>;
export type DetectorSpec = z.output<typeof detectorSchema>;
export type PlaybookSpec = Policy['playbooks'][number];
export type SourceSpec = z.output<typeof sourceSchema>;
export type MetricSourceSpec = z.output<typeof metricSourceSchema>;
export type ApprovalSettings = Policy['approvals'];
export type ActionName = (typeof actionNames)[number];
export type TelemetrySettings = Policy['telemetry'];
