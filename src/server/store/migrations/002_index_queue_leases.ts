import type { Kysely } from 'kysely';

/**
 * Indexes for the queue's hot paths: every agent call finds its execution by lease id; the
 * lease picker looks at one project's queued and leased executions; expiry scans leased rows by
 * heartbeat age.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('queue_lease_id').on('queue').column('lease_id').unique().execute();
  await db.schema
    .createIndex('queue_project_status')
    .on('queue')
    .columns(['project_id', 'status', 'enqueued_at'])
    .execute();
  await db.schema.createIndex('queue_run_status').on('queue').columns(['run_id', 'status']).execute();
  await db.schema
    .createIndex('queue_status_heartbeat')
    .on('queue')
    .columns(['status', 'heartbeat_at'])
    .execute();
}
