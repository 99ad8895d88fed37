import type { Kysely } from 'kysely';

/**
 * Traffic reports and release reason codes (issue #13).
 *
 * - `traffic_reports`: one row per traffic report an agent delivered, by the id the agent gave
 *   it. Reports are added to `traffic_minutes`, so a report re-sent after a lost answer (a
 *   server restart mid-call) must not count twice: the id is recorded in the same transaction
 *   as the counters, and a known id is acknowledged without adding again. Swept with the
 *   traffic retention.
 * - `release_reasons`: a stable code for a release's `reason` (e.g. canary_failed) and its
 *   parameters (JSON), so the web UI can say it in the reader's language. A table of its own
 *   rather than columns of `releases`, whose row type many places build in full.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('traffic_reports')
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('report_id', 'text', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('traffic_reports_pk', ['agent_id', 'report_id'])
    .execute();
  await db.schema
    .createIndex('traffic_reports_received_at')
    .on('traffic_reports')
    .column('received_at')
    .execute();
  await db.schema
    .createTable('release_reasons')
    .addColumn('release_id', 'text', (c) => c.primaryKey())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
}
