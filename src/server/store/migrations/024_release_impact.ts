import type { Kysely } from 'kysely';

/**
 * Release impact (issue #13): what real traffic and real users did after each release.
 *
 * - `traffic_minutes`: per environment, per release that served, per minute — counters the
 *   agent's HTTP-aware proxy adds up and reports (deltas are added, so a report sent twice for
 *   different halves of a minute sums). `latency_counts` is a JSON array of counts per bucket of
 *   LATENCY_BOUNDS_MS (src/domain/release-stats.ts), the last bucket open-ended. TCP
 *   environments fill `connections` only. `role` tells a canary's share from the stable one.
 * - `collect_sites`: one public site key per application for the page snippet (`/s.js`), the
 *   origins allowed to send to it, and whether the feedback widget is on.
 * - `behaviour_events`: page views, custom events and client errors, attributed server-side to
 *   the environment and the release serving it when the event arrived.
 * - `feedback_messages`: the widget's messages, with the release that was serving.
 * - `visitor_salts`: one random salt per day; visitors are counted by hash(salt, site, ip, ua)
 *   and a salt is deleted after its day, so nobody can be followed across days.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('traffic_minutes')
    .addColumn('environment_id', 'text', (c) => c.notNull())
    .addColumn('release_id', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().defaultTo('stable'))
    .addColumn('minute', 'bigint', (c) => c.notNull())
    .addColumn('requests', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('status_1xx', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('status_2xx', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('status_3xx', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('status_4xx', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('status_5xx', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('proxy_errors', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('bytes_in', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('bytes_out', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('connections', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('latency_counts', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('latency_sum_ms', 'double precision', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('traffic_minutes_pk', ['environment_id', 'release_id', 'role', 'minute'])
    .execute();
  await db.schema
    .createIndex('traffic_minutes_env_minute')
    .on('traffic_minutes')
    .columns(['environment_id', 'minute'])
    .execute();
  await db.schema.createIndex('traffic_minutes_minute').on('traffic_minutes').column('minute').execute();

  await db.schema
    .createTable('collect_sites')
    .addColumn('application_id', 'text', (c) => c.primaryKey())
    .addColumn('site_key', 'text', (c) => c.notNull().unique())
    .addColumn('origins', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('feedback_enabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('behaviour_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('application_id', 'text', (c) => c.notNull())
    .addColumn('environment_id', 'text')
    .addColumn('release_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('referrer', 'text')
    .addColumn('visitor', 'text', (c) => c.notNull())
    .addColumn('props', 'text')
    .addColumn('occurred_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('behaviour_events_app_time')
    .on('behaviour_events')
    .columns(['application_id', 'occurred_at'])
    .execute();
  await db.schema
    .createIndex('behaviour_events_release')
    .on('behaviour_events')
    .columns(['release_id', 'kind'])
    .execute();

  await db.schema
    .createTable('feedback_messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('application_id', 'text', (c) => c.notNull())
    .addColumn('environment_id', 'text')
    .addColumn('release_id', 'text')
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('rating', 'integer')
    .addColumn('contact', 'text')
    .addColumn('page', 'text', (c) => c.notNull())
    .addColumn('visitor', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('resolved_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('feedback_messages_app_time')
    .on('feedback_messages')
    .columns(['application_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('feedback_messages_release')
    .on('feedback_messages')
    .column('release_id')
    .execute();

  await db.schema
    .createTable('visitor_salts')
    .addColumn('day', 'text', (c) => c.primaryKey())
    .addColumn('salt', 'text', (c) => c.notNull())
    .execute();
}
