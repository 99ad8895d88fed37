import type { Kysely } from 'kysely';

/**
 * Container registries (credentials sealed with the server key, global or per project) and the
 * image catalogue (one row per tag a build job produced).
 *
 * `registries.scope` is `global` or the project id: a unique key over a nullable project_id
 * would let two global entries for one host in (NULLs are distinct in unique indexes on both
 * SQLite and PostgreSQL).
 *
 * Image rows are history: a tag pushed again by a newer run adds a row, and the newest row per
 * (repository, tag) is the current one. (run_id, job, repository, tag) is unique so a job update
 * the agent retries after a network error records nothing twice.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('registries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.references('projects.id').onDelete('cascade'))
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('password', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addUniqueConstraint('registries_scope_host', ['scope', 'host'])
    .execute();

  await db.schema
    .createTable('images')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('repository', 'text', (c) => c.notNull())
    .addColumn('tag', 'text', (c) => c.notNull())
    .addColumn('digest', 'text')
    .addColumn('image_id', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint')
    .addColumn('registry', 'text')
    .addColumn('pushed', 'integer', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
    .addColumn('job', 'text', (c) => c.notNull())
    .addColumn('sha', 'text', (c) => c.notNull())
    .addColumn('ref', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('images_run_job_repository_tag', ['run_id', 'job', 'repository', 'tag'])
    .execute();
  // The catalogue page: a project's repositories, each tag's newest row first.
  await db.schema
    .createIndex('images_project_repository_created')
    .on('images')
    .columns(['project_id', 'repository', 'tag', 'created_at'])
    .execute();
}
