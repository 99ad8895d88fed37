import type { Kysely } from 'kysely';
import { notFound } from '../errors.js';
import type { Database, ProjectRow } from '../store/tables.js';

/** The project of a `:project` path parameter, or a 404 naming it. */
export async function findProject(db: Kysely<Database>, name: string): Promise<ProjectRow> {
  const row = await db.selectFrom('projects').selectAll().where('name', '=', name).executeTakeFirst();
  if (!row) throw notFound(`project "${name}"`);
  return row;
}
