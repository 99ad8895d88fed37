import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../store/tables.js';
import { type DeliveryEvent, deliveryEventSchema, type StoredDeliveryEvent } from './delivery-events.js';

/**
 * The append-only `delivery_events` table (the outbox). Rows are only ever inserted — never
 * updated or deleted by the server — so metrics can be recomputed from history at any time.
 */
export async function appendDeliveryEvents(
  trx: Transaction<Database> | Kysely<Database>,
  events: readonly DeliveryEvent[],
  occurredAt: number,
): Promise<StoredDeliveryEvent[]> {
  const stored: StoredDeliveryEvent[] = [];
  // One insert per event: the generated id is the order they were recorded in.
  for (const event of events) {
    const row = await trx
      .insertInto('delivery_events')
      .values({
        type: event.type,
        project_id: event.projectId,
        run_id: event.runId,
        release_id: event.releaseId,
        occurred_at: occurredAt,
        payload: JSON.stringify(event.data),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    stored.push({ ...event, id: Number(row.id), occurredAt });
  }
  return stored;
}

/**
 * Stored events after `afterId`, oldest first, at most `limit`; rows that no longer parse (a
 * type this version does not know) are skipped rather than failing the reader.
 */
export async function readDeliveryEvents(
  db: Kysely<Database>,
  opts: { afterId?: number; projectId?: string; limit?: number } = {},
): Promise<StoredDeliveryEvent[]> {
  let query = db
    .selectFrom('delivery_events')
    .selectAll()
    .where('id', '>', opts.afterId ?? 0)
    .orderBy('id')
    .limit(opts.limit ?? 1000);
  if (opts.projectId) query = query.where('project_id', '=', opts.projectId);
  const rows = await query.execute();
  const events: StoredDeliveryEvent[] = [];
  for (const row of rows) {
    const parsed = deliveryEventSchema.safeParse({
      type: row.type,
      projectId: row.project_id,
      runId: row.run_id,
      releaseId: row.release_id,
      data: JSON.parse(row.payload),
    });
    if (parsed.success)
      events.push({ ...parsed.data, id: Number(row.id), occurredAt: Number(row.occurred_at) });
  }
  return events;
}
