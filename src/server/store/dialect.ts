import { type ColumnDefinitionBuilder, type Kysely, PostgresAdapter, type RawBuilder, sql } from 'kysely';

/**
 * The one place SQL differs between SQLite and PostgreSQL. Everything else is written in the
 * subset both accept; call sites ask here instead of sniffing URLs.
 */
export function isPostgres(db: Kysely<unknown> | Kysely<never>): boolean {
  return (db as Kysely<unknown>).getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * Row locking for a queue pick: PostgreSQL runs claims concurrently, so the chosen row is locked
 * and rows other claims hold are skipped; SQLite has no FOR UPDATE (its writer lock serialises).
 */
export function lockSkipLocked(db: Kysely<never>, table: string): RawBuilder<unknown> {
  return isPostgres(db) ? sql`FOR UPDATE OF ${sql.ref(table)} SKIP LOCKED` : sql``;
}

/**
 * Serialises one kind of transaction across every server process on PostgreSQL (a transaction-
 * scoped advisory lock, released at commit/rollback); a no-op on SQLite, whose write transactions
 * are already serial. `key` names the critical section.
 */
export async function serialiseTransaction(trx: Kysely<never>, key: string): Promise<void> {
  if (!isPostgres(trx)) return;
  await sql`SELECT pg_advisory_xact_lock(hashtext(${key}))`.execute(trx);
}

/**
 * An auto-numbered integer primary key: SQLite's `integer primary key autoincrement`,
 * PostgreSQL's `serial primary key` (kysely's autoIncrement() would emit MySQL's keyword there).
 * Use as `.addColumn('id', ...autoIncrementKey(db))`.
 */
export function autoIncrementKey(
  db: Kysely<unknown>,
): ['integer' | 'serial', (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder] {
  return isPostgres(db)
    ? ['serial', (c) => c.primaryKey()]
    : ['integer', (c) => c.primaryKey().autoIncrement()];
}

/**
 * Locks the selected rows until the transaction ends on PostgreSQL, so read-then-write
 * transactions on one row (a run's state machine) take turns as they do on SQLite, whose write
 * transactions are serial (and which has no FOR UPDATE). Use as `.$call(forUpdateOnPostgres(trx))`.
 */
export function forUpdateOnPostgres<QB extends { forUpdate(): QB }>(db: Kysely<never>): (qb: QB) => QB {
  return isPostgres(db) ? (qb) => qb.forUpdate() : (qb) => qb;
}
