import { z } from 'zod';

/**
 * The healer's event stream, the only thing the harness reads from a healer besides its approval
 * API. Events are newline-delimited JSON, served over HTTP (`GET /v1/events`) and appended to a file.
 */
export const HEALER_EVENT_SCHEMA_VERSION = 1;

export const healerEventKinds = [
  'detected',
  'action.started',
  'action.finished',
  'approval.requested',
  'approval.granted',
  'approval.denied',
  'approval.expired',
  'escalated',
  'recovered',
] as const;

export type HealerEventKind = (typeof healerEventKinds)[number];

export const healerEventSchema = z.object({
  schemaVersion: z.literal(HEALER_EVENT_SCHEMA_VERSION),
  /** Position in the stream, from 1, so a reader can resume after a reconnect. */
  seq: z.number().int().positive(),
  kind: z.enum(healerEventKinds),
  /** System-wide monotonic clock in milliseconds (see `monotonicNowMs`). */
  monotonicMs: z.number(),
  /** Wall-clock time as ISO 8601, for people. */
  wallTime: z.string(),
  /** The service the event concerns, by its topology name. */
  service: z.string(),
  /** The detector or signal that raised it, such as `probe.liveness` or `canary.accuracy`. */
  signal: z.string(),
  /** The numbers behind the event: observed value, threshold, window. */
  evidence: z.record(z.string(), z.unknown()),
  /** Ties the events of one incident together. */
  incidentId: z.string(),
  /** The remediation, on action and approval events, such as `restart` or `model.rollback`. */
  action: z.string().optional(),
  approvalId: z.string().optional(),
  /** Who decided an approval: `policy:auto`, `policy:deny`, `cli:<user>`, `http:<client>`, `timeout`. */
  decidedBy: z.string().optional(),
  /** Result of a finished action. */
  outcome: z.enum(['succeeded', 'failed']).optional(),
  message: z.string().optional(),
});

export type HealerEvent = z.infer<typeof healerEventSchema>;
