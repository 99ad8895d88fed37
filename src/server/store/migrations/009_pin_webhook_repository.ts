import type { Kysely } from 'kysely';

/**
 * A webhook is bound to the repository it is about (see webhooks/repository-binding.ts): the
 * forge's id of the repository is pinned on the first verified delivery whose repository URL
 * matches the project's remote, together with the remote URL it was pinned for (a changed remote
 * makes the pin void, so moving a project to another repository needs no extra step).
 * Both nullable: existing projects pin on their next delivery.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('projects').addColumn('webhook_repository_id', 'text').execute();
  await db.schema.alterTable('projects').addColumn('webhook_repository_remote', 'text').execute();
}
