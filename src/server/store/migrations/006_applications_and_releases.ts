import type { Kysely } from 'kysely';
import { autoIncrementKey } from '../dialect.js';

/**
 * Applications (deployable services of a project), their ordered environments, the release
 * record of every deploy/promote/rollback/scale, and the audit log of who did what. Config is
 * JSON validated by zod on write (src/api/environment-config.ts); a release keeps the
 * config snapshot it used so a rollback can restore it exactly.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('applications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('applications_project_name', ['project_id', 'name'])
    .execute();
  await db.schema
    .createTable('environments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('application_id', 'text', (c) => c.notNull().references('applications.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('config', 'text', (c) => c.notNull())
    .addColumn('requires_approval', 'integer', (c) => c.notNull())
    .addColumn('auto_release', 'text')
    .addColumn('config_version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('environments_application_name', ['application_id', 'name'])
    .execute();
  await db.schema
    .createTable('releases')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('application_id', 'text', (c) => c.notNull().references('applications.id').onDelete('cascade'))
    .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id').onDelete('cascade'))
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('image', 'text')
    .addColumn('digest', 'text')
    .addColumn('config', 'text', (c) => c.notNull())
    .addColumn('config_version', 'integer', (c) => c.notNull())
    .addColumn('replicas', 'integer', (c) => c.notNull())
    .addColumn('source_run_id', 'text')
    .addColumn('source_sha', 'text')
    .addColumn('release_run_id', 'text')
    .addColumn('release_job', 'text')
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('started_at', 'bigint')
    .addColumn('finished_at', 'bigint')
    .addColumn('rollback_of', 'text')
    .addColumn('promoted_from', 'text')
    .addUniqueConstraint('releases_application_number', ['application_id', 'number'])
    .execute();
  await db.schema
    .createIndex('releases_environment_number')
    .on('releases')
    .columns(['environment_id', 'number'])
    .execute();
  await db.schema.createIndex('releases_release_run').on('releases').column('release_run_id').execute();
  await db.schema
    .createTable('audit_log')
    .addColumn('id', ...autoIncrementKey(db))
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('project_id', 'text', (c) => c.references('projects.id').onDelete('cascade'))
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_log_project_at').on('audit_log').columns(['project_id', 'at']).execute();
}
