import type { Kysely } from 'kysely';

/**
 * Status badges are opt-in per project (security rule 9: reads are authorized, and an unknown or
 * forbidden project looks the same). Existing projects start private: a badge that answered
 * anonymously before this migration now needs the project's maintainer to turn it on.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('projects')
    .addColumn('public_badge', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}
