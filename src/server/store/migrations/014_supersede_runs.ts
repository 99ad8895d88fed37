import type { Kysely } from 'kysely';

/**
 * Auto-cancel of superseded runs (issue #15):
 * - `projects.auto_cancel_superseded`: the project setting. Off (0) for every existing project —
 *   canceling runs is a change of behaviour nobody asked for on upgrade — and off by default for
 *   new ones; a maintainer turns it on in Settings → General.
 * - `jobs.interruptible`: the job's `interruptible:` from `.slipway.yml` (0 for existing jobs,
 *   as GitLab: a job is not interruptible unless it says so).
 * - `runs.cancel_reason`: why a run was canceled, JSON (`{"code":"superseded","by":12}`,
 *   `{"code":"user","actor":"max"}`); NULL for runs canceled before this migration.
 * Plain ADD COLUMN with constant defaults: the same statement on SQLite and PostgreSQL.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('projects')
    .addColumn('auto_cancel_superseded', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('jobs')
    .addColumn('interruptible', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('runs').addColumn('cancel_reason', 'text').execute();
}
