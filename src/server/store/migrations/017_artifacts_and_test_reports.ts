import type { Kysely } from 'kysely';
import { autoIncrementKey } from '../dialect.js';

/**
 * Artifacts and test reports (issue #11).
 * - `artifacts`: one archive per job of a run (a re-upload of the job replaces it), stored as a
 *   file under the data directory (`path`, relative to it); `entries` is the JSON list of its
 *   files (path, size) for the run page; `expires_at` NULL = kept until deleted.
 * - `test_reports`: per job of a run, the counts of its JUnit reports and its line coverage.
 * - `test_cases`: one row per test case, with the run's commit and branch copied in so the flaky
 *   history of a test is one indexed query, not a join through runs.
 * No foreign keys to runs: deleting a project removes these rows and files explicitly; plain
 * types only, so the same statements work on SQLite and PostgreSQL.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('artifacts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('job', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('files', 'integer', (c) => c.notNull())
    .addColumn('entries', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('artifacts_run_job')
    .on('artifacts')
    .columns(['run_id', 'job'])
    .unique()
    .execute();
  await db.schema.createIndex('artifacts_project').on('artifacts').column('project_id').execute();
  await db.schema.createIndex('artifacts_expires').on('artifacts').column('expires_at').execute();

  await db.schema
    .createTable('test_reports')
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('job', 'text', (c) => c.notNull())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('total', 'integer', (c) => c.notNull())
    .addColumn('passed', 'integer', (c) => c.notNull())
    .addColumn('failed', 'integer', (c) => c.notNull())
    .addColumn('errored', 'integer', (c) => c.notNull())
    .addColumn('skipped', 'integer', (c) => c.notNull())
    .addColumn('duration_ms', 'bigint', (c) => c.notNull())
    .addColumn('coverage', 'real')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('test_reports_pk', ['run_id', 'job'])
    .execute();

  await db.schema
    .createTable('test_cases')
    .addColumn('id', ...autoIncrementKey(db))
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('job', 'text', (c) => c.notNull())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('run_number', 'integer', (c) => c.notNull())
    .addColumn('sha', 'text', (c) => c.notNull())
    .addColumn('branch', 'text')
    .addColumn('suite', 'text', (c) => c.notNull())
    .addColumn('classname', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('duration_ms', 'bigint', (c) => c.notNull())
    .addColumn('message', 'text')
    .addColumn('output', 'text')
    .execute();
  await db.schema.createIndex('test_cases_run').on('test_cases').columns(['run_id', 'job']).execute();
  await db.schema
    .createIndex('test_cases_history')
    .on('test_cases')
    .columns(['project_id', 'classname', 'name'])
    .execute();
}
