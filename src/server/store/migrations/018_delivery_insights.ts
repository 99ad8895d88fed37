import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * Delivery insights (issue #12):
 * - `environments.production`: the flag DORA metrics default to. Existing environments named
 *   `production`, `prod` or `prd` get it (what their teams meant); every other one starts off and
 *   a maintainer sets `production: true` through the environment API.
 * - `release_facts`: one row per ended release with what the metrics need, precomputed when the
 *   release ends (server/insights/insights-follow-up.ts), so an insights request aggregates
 *   indexed rows instead of walking runs, jobs and events: the source run's timeline, the split
 *   of its pipeline time per stage, approval and promotion waits, the ref class and digest, and
 *   the aggregates of its commits (count, lead times, value-stream sums) so a summary reads one
 *   row per release, not one per commit.
 * - `release_commits`: the commits a successful release shipped first (`git rev-list` on the
 *   repository: reachable from this release, from no earlier successful release of the same
 *   environment), with author and push times — the lead-time population.
 * The history that existed before this migration is computed from runs, releases and the
 * repository by the insights catch-up at server start (it needs git, which a migration must not
 * call); both tables are derived data and can be deleted to be recomputed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('environments')
    .addColumn('production', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`UPDATE environments SET production = 1 WHERE lower(name) IN ('production', 'prod', 'prd')`.execute(
    db,
  );

  await db.schema
    .createTable('release_facts')
    .addColumn('release_id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('application_id', 'text', (c) => c.notNull())
    .addColumn('environment_id', 'text', (c) => c.notNull())
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('ref_name', 'text')
    .addColumn('image', 'text')
    .addColumn('digest', 'text')
    .addColumn('source_sha', 'text')
    .addColumn('source_run_id', 'text')
    .addColumn('source_run_number', 'integer')
    .addColumn('rollback_of', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('started_at', 'bigint')
    .addColumn('ended_at', 'bigint', (c) => c.notNull())
    .addColumn('run_created_at', 'bigint')
    .addColumn('run_started_at', 'bigint')
    .addColumn('pipeline_end_at', 'bigint')
    .addColumn('approved_at', 'bigint')
    .addColumn('stages', 'text', (c) => c.notNull())
    .addColumn('manual_wait_ms', 'bigint', (c) => c.notNull())
    .addColumn('commits', 'text', (c) => c.notNull())
    .addColumn('changes', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lead_times', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('segment_sums', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
  await db.schema
    .createIndex('release_facts_environment_ended')
    .on('release_facts')
    .columns(['environment_id', 'ended_at'])
    .execute();

  await db.schema
    .createTable('release_commits')
    .addColumn('release_id', 'text', (c) => c.notNull())
    .addColumn('sha', 'text', (c) => c.notNull())
    .addColumn('environment_id', 'text', (c) => c.notNull())
    .addColumn('authored_at', 'bigint', (c) => c.notNull())
    .addColumn('pushed_at', 'bigint')
    .addColumn('released_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('release_commits_key', ['release_id', 'sha'])
    .execute();
  await db.schema
    .createIndex('release_commits_environment_released')
    .on('release_commits')
    .columns(['environment_id', 'released_at'])
    .execute();
}
