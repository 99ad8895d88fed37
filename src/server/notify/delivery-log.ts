import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../store/tables.js';

/** One row of a delivery log (notifications and commit statuses) as the API shows it. */
export const deliveryJsonSchema = z.object({
  id: z.number().int(),
  /** The notification event, or the commit state sent. */
  event: z.string(),
  status: z.enum(['pending', 'sending', 'succeeded', 'failed', 'superseded']),
  attempts: z.number().int(),
  /** HTTP status (or SMTP reply code) of the last attempt. */
  responseCode: z.number().int().nullable(),
  error: z.string().nullable(),
  createdAt: z.number(),
  lastAttemptAt: z.number().nullable(),
  /** When a pending delivery is tried again. */
  nextAttemptAt: z.number().nullable(),
});
export type DeliveryJson = z.infer<typeof deliveryJsonSchema>;

/**
 * Newest first. A global channel's log read from a project shows that project's rows only;
 * `projectId` null (the admin's view of a global channel) shows all.
 */
export async function deliveryLog(
  db: Kysely<Database>,
  filter: {
    channelId?: string;
    projectId: string | null;
    kind?: 'notification' | 'commit_status';
    limit: number;
  },
): Promise<DeliveryJson[]> {
  let query = db.selectFrom('outbound_deliveries').selectAll().orderBy('id', 'desc').limit(filter.limit);
  if (filter.channelId) query = query.where('channel_id', '=', filter.channelId);
  if (filter.kind) query = query.where('kind', '=', filter.kind);
  if (filter.projectId !== null) query = query.where('project_id', '=', filter.projectId);
  const rows = await query.execute();
  return rows.map((row) => {
    let event = '';
    try {
      const payload = JSON.parse(row.payload) as { event?: string; state?: string };
      event = payload.event ?? payload.state ?? '';
    } catch {
      // A hand-edited row: shown without its event.
    }
    return {
      id: Number(row.id),
      event,
      status: row.status,
      attempts: row.attempts,
      responseCode: row.response_code,
      error: row.error,
      createdAt: Number(row.created_at),
      lastAttemptAt: row.last_attempt_at === null ? null : Number(row.last_attempt_at),
      nextAttemptAt: row.status === 'pending' ? Number(row.next_attempt_at) : null,
    };
  });
}
