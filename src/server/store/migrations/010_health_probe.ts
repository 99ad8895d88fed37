import type { Kysely } from 'kysely';

/**
 * One row that /healthz rewrites (at most about once a second) to prove the database still takes
 * writes: a read-only, full or failing disk answers reads as before, so only a real committed
 * write shows it (database-health.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('health_probe')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('checked_at', 'bigint', (c) => c.notNull())
    .execute();
}
