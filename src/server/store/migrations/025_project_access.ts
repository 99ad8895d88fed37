import type { Kysely } from 'kysely';

/**
 * Per-project access (issue #14): a visibility on every project and the members with their
 * project role. Existing projects become `internal` (the column default), so after an upgrade
 * every signed-in user still reads what they read before; projects created through the API
 * afterwards start `private` (create route). The unique pair keeps one role per user and project.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('projects')
    .addColumn('visibility', 'text', (c) => c.notNull().defaultTo('internal'))
    .execute();
  await db.schema
    .createTable('project_members')
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('project_members_project_user', ['project_id', 'user_id'])
    .execute();
  // Access checks ask "which projects is this user a member of" on every project list.
  await db.schema.createIndex('project_members_by_user').on('project_members').column('user_id').execute();
}
