import type { Kysely } from 'kysely';

/**
 * Reason parameters (issue #14): the values a run's or a job's failure and a job's skip are
 * said with (`{code: 2}` for an exit code, the changed files for `changes:`), as JSON objects,
 * so the web UI says them in the reader's language. NULL for rows written before (the UI then
 * shows their stored English sentence) and for reasons without parameters.
 * Plain ADD COLUMN without a default: the same statement on SQLite and PostgreSQL.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('runs').addColumn('failure_params', 'text').execute();
  await db.schema.alterTable('jobs').addColumn('failure_params', 'text').execute();
  await db.schema.alterTable('jobs').addColumn('skip_params', 'text').execute();
}
