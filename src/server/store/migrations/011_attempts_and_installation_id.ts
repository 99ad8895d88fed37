import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';

/**
 * Attempts: a run whose agent was lost may be re-queued (SLIPWAY_REQUEUE_LOST) and run again by
 * another agent, which numbers its lines from 1 again. Queue rows, runs and jobs count their
 * attempts (1 for everything that exists), and each stored log chunk records the attempt it
 * belongs to, so the server can place a later attempt's lines after the earlier ones'.
 *
 * Installation id: one random id per installation (per database), created here once. Everything
 * the server's agent creates on a container engine is labelled with it, so cleanup of one
 * installation never touches another's resources on a shared engine.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of ['queue', 'runs', 'jobs', 'log_chunks']) {
    await db.schema
      .alterTable(table)
      .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();
  }
  await db.schema
    .createTable('installation')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await (db as Kysely<{ installation: { id: string; created_at: number } }>)
    .insertInto('installation')
    .values({ id: randomUUID(), created_at: Date.now() })
    .execute();
}
