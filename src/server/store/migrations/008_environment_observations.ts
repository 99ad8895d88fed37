import type { Kysely } from 'kysely';

/**
 * The latest observation of each environment, as an agent reported it from its engine (what
 * actually runs, not what the last release said). One row per environment, replaced on every
 * report; `health` is the health last announced, so a change emits one event.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('environment_observations')
    .addColumn('environment_id', 'text', (c) =>
      c.primaryKey().references('environments.id').onDelete('cascade'),
    )
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('observed_at', 'bigint', (c) => c.notNull())
    .addColumn('running', 'integer', (c) => c.notNull())
    .addColumn('healthy', 'integer', (c) => c.notNull())
    .addColumn('desired', 'integer', (c) => c.notNull())
    .addColumn('image', 'text')
    .addColumn('release_id', 'text')
    .addColumn('health', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('environment_observations_agent')
    .on('environment_observations')
    .column('agent_id')
    .execute();
}
