import type { Kysely } from 'kysely';

/**
 * Behaviour-event retention (SLIPWAY_BEHAVIOUR_RETENTION_DAYS): the hourly sweep deletes events
 * by age alone, across all applications. The existing index leads with application_id, so
 * without this one every sweep would scan the whole table.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('behaviour_events_occurred_at')
    .on('behaviour_events')
    .column('occurred_at')
    .execute();
}
