import type { Kysely } from 'kysely';

/**
 * Environments deleted in Slipway whose containers or services may still run on an engine. The
 * server never talks to an engine; agents report what runs (observed health) and are told in
 * the answer to remove what matches a row here. Names, not ids: engine labels carry names, and
 * the rows must outlive the deleted environment (a new environment of the same names clears it).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('removed_environments')
    .addColumn('project', 'text', (c) => c.notNull())
    .addColumn('app', 'text', (c) => c.notNull())
    .addColumn('env', 'text', (c) => c.notNull())
    .addColumn('removed_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('removed_environments_pk', ['project', 'app', 'env'])
    .execute();
}
