import type { Kysely } from 'kysely';

/**
 * A webhook answered 2xx must have its run (security rule 14), even when the server dies between
 * the 202 and the run: the delivery keeps the classified event (`event`, JSON, no secrets, no raw
 * body) so a restart can re-drive it, and `started_at` marks the one attempt that may create its
 * run (claimed with an atomic UPDATE, so two processes never both create it).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('deliveries').addColumn('event', 'text').execute();
  await db.schema.alterTable('deliveries').addColumn('started_at', 'bigint').execute();
}
