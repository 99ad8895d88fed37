import type { Kysely } from 'kysely';

/**
 * Agent labels and pinning. `agents.labels` is the JSON map an agent last declared
 * (`slipway agent --label k=v`). `queue_labels` holds the `key=value` pairs a queued execution
 * requires, one row each, so the lease query can ask portably (SQLite and PostgreSQL alike)
 * "does this execution require any pair the agent lacks" with NOT EXISTS … NOT IN.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('agents')
    .addColumn('labels', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
  await db.schema
    .createTable('queue_labels')
    .addColumn('queue_id', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('queue_labels_pk', ['queue_id', 'label'])
    .execute();
}
