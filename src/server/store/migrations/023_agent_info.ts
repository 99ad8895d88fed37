import type { Kysely } from 'kysely';

/**
 * What an agent says about itself with its lease requests, for the Agents page: its version and
 * how many runs it executes at once. JSON text (`{}` until it says), like `labels`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('agents')
    .addColumn('info', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
}
