import type { Kysely } from 'kysely';

/**
 * The server's cache store (issue #11): caches agents upload so that another agent can start
 * from them. One row per project and key (the latest upload wins); the archive itself is a
 * content-addressed file `<data dir>/caches/<sha256>`, shared by rows with the same contents.
 * `paths` (JSON) are the directories the archive holds, in order: the same key with other
 * paths is another cache on the agent, so a download only matches the same paths.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('cache_entries')
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('paths', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('cache_entries_pk', ['project_id', 'key'])
    .execute();
  await db.schema.createIndex('cache_entries_sha').on('cache_entries').column('sha256').execute();
  await db.schema.createIndex('cache_entries_last_used').on('cache_entries').column('last_used_at').execute();
}
