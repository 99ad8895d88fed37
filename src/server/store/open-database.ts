import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { SqliteDialectKeepingCause } from './sqlite-dialect.js';
import type { Database } from './tables.js';

/**
 * Opens the database named by a URL: `sqlite:<path>` (the default) or
 * `postgres://user:pass@host:port/db` (also `postgresql://`).
 */
export function openDatabase(url: string): Kysely<Database> {
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length));
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return openPostgres(url);
  throw new Error(
    `unsupported database URL "${url.split(':')[0]}:…" (use sqlite:<path> or postgres://user:pass@host:port/db)`,
  );
}

/** WAL mode lets SSE readers run while the agent's log batches are written. */
function openSqlite(path: string): Kysely<Database> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SQLite(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  return new Kysely<Database>({ dialect: new SqliteDialectKeepingCause(sqlite) });
}

/**
 * Times are Unix milliseconds in bigint columns, and count()/sum() answer bigint/numeric: pg
 * hands those back as strings by default. Rows are typed as numbers, so this pool (only this
 * one, not pg's global parsers) reads int8 and numeric as JS numbers; every value Slipway stores
 * is well below 2^53.
 */
function openPostgres(url: string): Kysely<Database> {
  const types = new pg.TypeOverrides();
  types.setTypeParser(pg.types.builtins.INT8, Number);
  types.setTypeParser(pg.types.builtins.NUMERIC, Number);
  const pool = new pg.Pool({ connectionString: url, types, max: 10 });
  // An idle client losing its connection (server restart) must not crash the process; the pool
  // drops it and the next query connects again.
  pool.on('error', () => {});
  // The pool listens for errors only while a client is idle. A client checked out between two
  // queries of a transaction (a lease claim, a migration) whose backend is terminated (failover,
  // pg_terminate_backend, restart) emits 'error' with no listener, and an unhandled 'error' ends
  // the process. The transaction's next query fails on its own (a 503 at the edge) and the pool
  // discards the broken client on release, so the event itself carries nothing to act on.
  pool.on('connect', (client) => client.on('error', () => {}));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
