import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from './tables.js';

/**
 * This installation's stable id (created by migration 011; one per database, so servers sharing
 * a database are one installation). Its agent labels what it creates on a container engine
 * with it, and cleans up only what carries it.
 */
export async function installationId(db: Kysely<Database>): Promise<string> {
  const row = await db.selectFrom('installation').select('id').orderBy('created_at').executeTakeFirst();
  if (row) return row.id;
  // Only a database whose row was deleted by hand gets here: name it again, once.
  await db
    .insertInto('installation')
    .values({ id: randomUUID(), created_at: Date.now() })
    .onConflict((oc) => oc.doNothing())
    .execute();
  return installationId(db);
}
