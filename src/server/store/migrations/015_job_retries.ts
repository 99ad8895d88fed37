import type { Kysely } from 'kysely';

/**
 * `retry:` (issue #10): `jobs.retries` holds the job's earlier attempts as JSON — each one's
 * status, failure, exit code and times (runs/job-retries.ts) — so the record and the API show
 * every attempt, not only the last. NULL for jobs that were never retried (every existing one).
 * `deliveries.skip_reason`: why a delivery (webhook or git push) made no run — the pipeline's
 * `workflow:` does not apply to its event (runs/workflow-skip.ts). NULL otherwise.
 * Plain ADD COLUMN without a default: the same statement on SQLite and PostgreSQL.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('jobs').addColumn('retries', 'text').execute();
  await db.schema.alterTable('deliveries').addColumn('skip_reason', 'text').execute();
}
