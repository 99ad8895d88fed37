import { type Kysely, type Migration, sql } from 'kysely';
import { isPostgres } from './dialect.js';

/**
 * Where applied migrations are recorded: kysely's table and columns, so databases migrated by
 * earlier Slipway versions (which used kysely's Migrator) carry on, and backups stay recognisable.
 */
export const MIGRATION_TABLE = 'kysely_migration';

/**
 * kysely's PostgreSQL migration lock id: taking the same advisory lock keeps an older Slipway
 * (kysely's Migrator) and this runner from migrating one database at the same time.
 */
const POSTGRES_MIGRATION_LOCK = '3853314791062309107';

/**
 * Applies the pending `migrations` (in name order), each in its own transaction together with
 * the row recording it, so a crash (kill -9, power loss) at any point leaves every migration
 * either fully applied and recorded or not applied at all, and the next start carries on.
 *
 * kysely's Migrator cannot give this on SQLite: it runs SQLite migrations with no transaction
 * (its adapter says DDL is not transactional, which SQLite's is), so a crash in the middle of
 * one left half a schema that no later start could get past ("table users already exists").
 *
 * Concurrent starts take turns: SQLite's `BEGIN IMMEDIATE` takes the writer lock before the
 * applied list is read, PostgreSQL a transaction-scoped advisory lock. Returns the names applied.
 */
export async function runMigrations(
  db: Kysely<unknown>,
  migrations: Record<string, Migration>,
): Promise<string[]> {
  const names = Object.keys(migrations).sort();
  const applied: string[] = [];
  // One connection for the whole run (PostgreSQL's pool would otherwise hand out others).
  await db.connection().execute(async (conn) => {
    for (;;) {
      const ran = await inMigrationTransaction(conn, async () => {
        const done = await appliedMigrations(conn);
        checkHistory(done, names);
        const next = names.find((name) => !done.includes(name));
        if (next === undefined) return null;
        await (migrations[next] as Migration).up(conn);
        await conn
          .insertInto(MIGRATION_TABLE as never)
          .values({ name: next, timestamp: new Date().toISOString() } as never)
          .execute();
        return next;
      });
      if (ran === null) return;
      applied.push(ran);
    }
  });
  return applied;
}

async function inMigrationTransaction<T>(conn: Kysely<unknown>, work: () => Promise<T>): Promise<T> {
  const postgres = isPostgres(conn);
  await sql.raw(postgres ? 'BEGIN' : 'BEGIN IMMEDIATE').execute(conn);
  try {
    if (postgres) await sql.raw(`SELECT pg_advisory_xact_lock(${POSTGRES_MIGRATION_LOCK})`).execute(conn);
    await sql`CREATE TABLE IF NOT EXISTS ${sql.table(MIGRATION_TABLE)} (
      name varchar(255) NOT NULL PRIMARY KEY,
      timestamp varchar(255) NOT NULL
    )`.execute(conn);
    const result = await work();
    await sql.raw('COMMIT').execute(conn);
    return result;
  } catch (error) {
    // SQLite may already have rolled back by itself (an I/O error, a full disk); then ROLLBACK
    // fails too, and that second error must not hide the first.
    await sql
      .raw('ROLLBACK')
      .execute(conn)
      .catch(() => {});
    throw error;
  }
}

async function appliedMigrations(conn: Kysely<unknown>): Promise<string[]> {
  const rows = (await conn
    .selectFrom(MIGRATION_TABLE as never)
    .select('name' as never)
    .execute()) as { name: string }[];
  return rows.map((r) => r.name).sort();
}

/**
 * The applied migrations must be the first known ones: an unknown name means a newer Slipway
 * migrated this database; a gap means migrations were renumbered. Either way, stop before
 * changing anything.
 */
function checkHistory(done: string[], names: string[]): void {
  const unknown = done.find((name) => !names.includes(name));
  if (unknown !== undefined)
    throw new Error(
      `the database was migrated by a newer Slipway (migration ${unknown} is unknown to this version); ` +
        'run that version or restore a backup taken with this one',
    );
  done.forEach((name, i) => {
    if (names[i] !== name)
      throw new Error(
        `the database's migrations are out of order: ${name} is applied but ${names[i]} is not; ` +
          'migrations must only ever be added after the last one',
      );
  });
}
