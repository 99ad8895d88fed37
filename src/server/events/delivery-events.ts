import { z } from 'zod';
import { builtImageSchema, jobResultSchema } from '../../protocol/agent-protocol.js';

/**
 * The delivery domain events: what happened to runs, jobs, images and releases, as facts that
 * were committed. Closed set, one discriminant (`type`), each with its own payload schema, so a
 * subscriber switches on `type` and gets a typed `data`, and a row read back from
 * `delivery_events` (a backfill, a resume, a metric recomputed from history) is validated the
 * same way. Adding a type is adding a member here; renaming one breaks stored history, so don't.
 */
const runRef = { projectId: z.string(), runId: z.string().nullable(), releaseId: z.string().nullable() };

const runData = z.object({ number: z.number().int(), status: z.string() });
const releaseData = z.object({
  number: z.number().int(),
  applicationId: z.string(),
  environmentId: z.string(),
  image: z.string().nullable(),
  trigger: z.string(),
  reason: z.string().nullable(),
});

export const deliveryEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('run.created'),
    ...runRef,
    data: runData.extend({ trigger: z.string(), ref: z.string(), sha: z.string() }),
  }),
  z.object({
    type: z.literal('run.finished'),
    ...runRef,
    data: runData.extend({ startedAt: z.number().nullable(), finishedAt: z.number().nullable() }),
  }),
  /** A job began running; `report` is the agent's report (a deploy job's release rides on it). */
  z.object({
    type: z.literal('job.started'),
    ...runRef,
    data: z.object({ job: z.string(), report: jobResultSchema.nullable() }),
  }),
  /**
   * A job ended (any terminal status). `report` is the agent's report when the agent ended it
   * (null when the server did: leftovers of a finished or lost execution, or a backfill).
   */
  z.object({
    type: z.literal('job.finished'),
    ...runRef,
    data: z.object({
      job: z.string(),
      status: z.string(),
      startedAt: z.number().nullable(),
      finishedAt: z.number().nullable(),
      report: jobResultSchema.nullable(),
    }),
  }),
  /** A build job's image reached a registry (recorded in the catalogue). */
  z.object({
    type: z.literal('image.pushed'),
    ...runRef,
    data: z.object({ job: z.string(), image: builtImageSchema }),
  }),
  z.object({ type: z.literal('release.started'), ...runRef, data: releaseData }),
  z.object({ type: z.literal('release.succeeded'), ...runRef, data: releaseData }),
  z.object({ type: z.literal('release.failed'), ...runRef, data: releaseData }),
  z.object({ type: z.literal('release.rolled_back'), ...runRef, data: releaseData }),
  z.object({ type: z.literal('release.canceled'), ...runRef, data: releaseData }),
  z.object({ type: z.literal('approval.requested'), ...runRef, data: releaseData }),
  z.object({
    type: z.literal('approval.granted'),
    ...runRef,
    data: releaseData.extend({ by: z.string() }),
  }),
]);

export type DeliveryEvent = z.infer<typeof deliveryEventSchema>;
export type DeliveryEventType = DeliveryEvent['type'];
export type DeliveryEventOf<T extends DeliveryEventType> = Extract<DeliveryEvent, { type: T }>;

/** An event as committed: its row id (insertion order) and when it happened (ms). */
export type StoredDeliveryEvent = DeliveryEvent & { id: number; occurredAt: number };

/** The release event for a release's new status, or null when the status is not an event. */
export function releaseEventType(status: string): DeliveryEventType | null {
  switch (status) {
    case 'running':
      return 'release.started';
    case 'succeeded':
      return 'release.succeeded';
    case 'failed':
      return 'release.failed';
    case 'rolled_back':
      return 'release.rolled_back';
    case 'canceled':
      return 'release.canceled';
    default:
      return null;
  }
}
