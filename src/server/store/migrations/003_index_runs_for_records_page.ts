import type { Kysely } from 'kysely';

/**
 * The records page filters by trigger too (`?trigger=cron`): without this index a rare trigger
 * makes SQLite walk every run of the project. Branch and status already have theirs (001), and
 * the unfiltered page uses the unique (project_id, number) index.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('runs_project_trigger')
    .ifNotExists()
    .on('runs')
    .columns(['project_id', 'trigger', 'number'])
    .execute();
}
