import { z } from 'zod';
import { duration } from '../../../common/src/config/fields.ts';

/** Placeholders such as `{{text}}` in a path, body or expected value take a field of the record. */
export const TEMPLATE_PATTERN = /\{\{\s*([A-Za-z_][\w.]*)\s*\}\}/g;

/** Upper bounds that keep a mistyped experiment from flooding the stack or running for days. */
export const MAX_RATE_PER_SECOND = 5_000;
export const MAX_DURATION_MS = 6 * 3_600_000;
export const DEFAULT_MAX_IN_FLIGHT = 1_000;

const httpMethods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** A JSON value whose strings may hold `{{field}}` placeholders. */
const jsonTemplate: z.ZodType<unknown> = z.lazy(() =>
  z.union([
    z.string(),
    z.number(),
    z.boolean(),
    z.null(),
    z.array(jsonTemplate),
    z.record(z.string(), jsonTemplate),
  ]),
);

const expectSchema = z
  .strictObject({
    /** HTTP statuses that count as success. Any 2xx counts when the list is absent. */
    status: z
      .array(z.number().int().min(100).max(599), { error: 'expected a list of HTTP statuses' })
      .min(1, { error: 'list at least one status, or leave `status` out to accept any 2xx' })
      .optional(),
    /** Dotted path to a field of the JSON response body, such as `label` or `result.label`. */
    field: z.string().min(1).optional(),
    /** Value the field must equal, compared as text after filling templates. */
    equals: z.union([z.string(), z.number(), z.boolean()]).optional(),
  })
  .superRefine((expect, context) => {
    if ((expect.field === undefined) !== (expect.equals === undefined)) {
      context.addIssue({
        code: 'custom',
        path: [expect.field === undefined ? 'field' : 'equals'],
        message: '`field` and `equals` go together: name the response field and its expected value',
      });
    }
  });

export const loadRequestSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z][a-z0-9_-]*$/, {
      error: 'expected a lower-case name such as classify or ingest-doc',
    }),
    weight: z
      .number({ error: 'expected a number greater than 0' })
      .positive({ error: 'weight must be greater than 0' }),
    /** Component name in the topology. The harness resolves its direct URL. */
    target: z.string().min(1),
    method: z
      .enum(httpMethods, { error: `expected one of ${httpMethods.join(', ')}` })
      .default('GET'),
    path: z.string().startsWith('/', { error: 'a path starts with /' }),
    /** File of JSONL records, one per line, relative to the experiment file. */
    dataset: z.string().min(1).optional(),
    headers: z.record(z.string(), z.string()).optional(),
    body: jsonTemplate.optional(),
    expect: expectSchema.optional(),
    /** Field of the record that counts as an acknowledged write when the request succeeds. */
    acknowledges: z.string().min(1).optional(),
  })
  .superRefine((request, context) => {
    if (request.dataset !== undefined) return;
    if (request.acknowledges !== undefined) {
      context.addIssue({
        code: 'custom',
        path: ['acknowledges'],
        message: '`acknowledges` names a record field, so the request needs a `dataset`',
      });
    }
    const templated = [request.path, JSON.stringify(request.body ?? null), request.expect?.equals];
    if (templated.some((text) => typeof text === 'string' && /\{\{.*\}\}/.test(text))) {
      context.addIssue({
        code: 'custom',
        path: ['dataset'],
        message: '{{field}} placeholders take fields of a record, so the request needs a `dataset`',
      });
    }
  });

export const loadSpecSchema = z
  .strictObject({
    /** Requests per second, sent on a fixed schedule (open model). */
    rate: z
      .number({ error: 'expected requests per second, a number greater than 0' })
      .positive({ error: 'rate must be greater than 0' })
      .max(MAX_RATE_PER_SECOND, { error: `rate may be at most ${MAX_RATE_PER_SECOND} per second` }),
    duration: duration(),
    /** Load runs but is not scored. */
    warmup: duration().default(0),
    /** Per-request timeout. */
    timeout: duration().default(2_000),
    /** Requests in flight beyond this count as `overload` errors instead of being sent. */
    maxInFlight: z.number().int().positive().default(DEFAULT_MAX_IN_FLIGHT),
    mix: z
      .array(loadRequestSchema, { error: 'expected a list of weighted requests' })
      .min(1, { error: 'the mix needs at least one request' }),
  })
  .superRefine((spec, context) => {
    if (spec.duration <= 0 || spec.duration > MAX_DURATION_MS) {
      context.addIssue({
        code: 'custom',
        path: ['duration'],
        message: 'duration must be greater than 0 and at most 6h',
      });
    }
    if (spec.warmup >= spec.duration) {
      context.addIssue({
        code: 'custom',
        path: ['warmup'],
        message: 'warmup must be shorter than duration, because warmup is part of it',
      });
    }
    if (spec.timeout <= 0) {
      context.addIssue({
        code: 'custom',
        path: ['timeout'],
        message: 'timeout must be greater than 0',
      });
    }
    const seen = new Set<string>();
    spec.mix.forEach((request, index) => {
      if (seen.has(request.name)) {
        context.addIssue({
          code: 'custom',
          path: ['mix', index, 'name'],
          message: `duplicate request name "${request.name}": each entry of the mix needs its own`,
        });
      }
      seen.add(request.name);
    });
  });

/** The `load` section as written in an experiment. */
export type LoadSpecInput = z.input<typeof loadSpecSchema>;
/** The `load` section with defaults filled and durations in milliseconds. */
export type LoadSpec = z.output<typeof loadSpecSchema>;
export type LoadRequestSpec = LoadSpec['mix'][number];
