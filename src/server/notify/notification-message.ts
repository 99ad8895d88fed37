import { z } from 'zod';
import { reasonParamsSchema } from '../../api/reasons.js';

/**
 * What a notification says, before it is put in words: stored in the outbox as JSON, rendered
 * in the channel's language when it is sent (notification-text.ts). Closed set of events; each
 * is a rule a channel can subscribe to (channel-rules.ts), except `test` (the "send test" button).
 */
export const NOTIFY_EVENTS = [
  'run.failed',
  'run.fixed',
  'run.succeeded',
  'release.succeeded',
  'release.failed',
  'release.rolled_back',
  'approval.requested',
  'summary.weekly',
] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

const runPart = z.object({
  number: z.number().int(),
  record: z.string(),
  status: z.string(),
  actor: z.string(),
  trigger: z.string(),
  ref: z.string(),
  sha: z.string(),
  durationMs: z.number().nullable(),
  stages: z.array(z.object({ name: z.string(), status: z.string() })),
  /** Why it failed (the failure reason's English message), when it did. */
  failure: z.string().nullable(),
  /**
   * The failure's code and parameters, so each channel says it in its own language
   * (reason-words.ts). Absent in rows queued before it existed: those show `failure`.
   */
  failureCode: z.object({ reason: z.string(), params: reasonParamsSchema.optional() }).optional(),
});

/** A release reason's parameters: a flat object of scalars (release_reasons.params). */
export const releaseReasonParamsSchema = z.record(z.string(), z.union([z.string(), z.number()]));

const releasePart = z.object({
  number: z.number().int(),
  application: z.string(),
  environment: z.string(),
  image: z.string().nullable(),
  trigger: z.string(),
  actor: z.string(),
  /** Why it failed or was rolled back, in English (the release's stored reason). */
  reason: z.string().nullable(),
  /** The reason's code (RELEASE_REASONS) and parameters; absent in older rows (then `reason`). */
  reasonCode: z.string().optional(),
  reasonParams: releaseReasonParamsSchema.optional(),
  durationMs: z.number().nullable(),
});

const summaryPart = z.object({
  from: z.number(),
  to: z.number(),
  runs: z.number().int(),
  succeeded: z.number().int(),
  failed: z.number().int(),
  medianDurationMs: z.number().nullable(),
  releases: z.number().int(),
  releasesSucceeded: z.number().int(),
  releasesFailed: z.number().int(),
  rollbacks: z.number().int(),
});

export const notificationMessageSchema = z.object({
  event: z.enum([...NOTIFY_EVENTS, 'test']),
  /** The project's name; null for a global channel's test message. */
  project: z.string().nullable(),
  /** Where the reader goes from the message (the run, the application, the project). */
  url: z.string(),
  at: z.number(),
  run: runPart.optional(),
  release: releasePart.optional(),
  summary: summaryPart.optional(),
});
export type NotificationMessage = z.infer<typeof notificationMessageSchema>;
export type RunPart = z.infer<typeof runPart>;
export type ReleasePart = z.infer<typeof releasePart>;
export type SummaryPart = z.infer<typeof summaryPart>;
