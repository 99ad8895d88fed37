import type { Kysely } from 'kysely';

/**
 * What a team needs to run its own accounts: a password that must be changed at the next
 * sign-in (the generated first admin's, or one an admin reset), disabled accounts (kept for
 * the audit trail but unable to sign in or use tokens), and one-time invitation links (only the
 * sha256 of the link's token is stored, like sessions and API tokens).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('users')
    .addColumn('must_change_password', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('users').addColumn('disabled_at', 'bigint').execute();
  await db.schema
    .createTable('user_invites')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .addColumn('used_by', 'text')
    .execute();
}
