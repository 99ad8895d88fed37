import type { Kysely } from 'kysely';
import { autoIncrementKey } from '../dialect.js';

/**
 * Notifications and commit statuses (issue #15):
 * - `notification_channels`: where messages go (webhook, Slack, DingTalk, WeCom, Feishu, email),
 *   per project, or global defaults (`project_id` NULL) that every project gets. `target` is the
 *   sealed JSON of what is secret (URL with its token, signing secret, SMTP password): written,
 *   never read back by the API. `settings` holds what is not secret (SMTP host, recipients);
 *   `rules` which events the channel wants (JSON).
 * - `outbound_deliveries`: the outbox both follow-ups write into from their delivery-event
 *   subscriber, and a worker owned by the server drains with retries and backoff — so a slow or
 *   dead receiver never holds up the event bus, and nothing is lost across a restart.
 *   `dedup_key` makes a replayed event enqueue nothing twice; `group_key` orders commit statuses
 *   of one commit (a stale `pending` is never sent after `success`).
 * - `commit_status_settings`: per remote project, the forge token (sealed) and an optional API
 *   base URL (self-hosted forges; loopback in tests).
 * No foreign keys, as for delivery_events: a delivery log outlives a deleted channel.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('notification_channels')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull().defaultTo('en'))
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('rules', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('last_summary_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('notification_channels_project')
    .on('notification_channels')
    .column('project_id')
    .execute();

  await db.schema
    .createTable('outbound_deliveries')
    .addColumn('id', ...autoIncrementKey(db))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('project_id', 'text')
    .addColumn('channel_id', 'text')
    .addColumn('dedup_key', 'text', (c) => c.notNull().unique())
    .addColumn('group_key', 'text')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('last_attempt_at', 'bigint')
    .addColumn('response_code', 'integer')
    .addColumn('error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('outbound_deliveries_due')
    .on('outbound_deliveries')
    .columns(['status', 'next_attempt_at'])
    .execute();
  await db.schema
    .createIndex('outbound_deliveries_channel')
    .on('outbound_deliveries')
    .columns(['channel_id', 'id'])
    .execute();
  await db.schema
    .createIndex('outbound_deliveries_project')
    .on('outbound_deliveries')
    .columns(['project_id', 'kind', 'id'])
    .execute();

  await db.schema
    .createTable('commit_status_settings')
    .addColumn('project_id', 'text', (c) => c.primaryKey())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('token', 'text')
    .addColumn('api_url', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}
