import type { Kysely } from 'kysely';
import { databaseFailure, describeDatabaseFailure } from './database-errors.js';
import type { Database } from './tables.js';

export type CheckResult = 'ok' | 'failed' | 'skipped';

export interface DatabaseHealth {
  ok: boolean;
  checks: { database_read: CheckResult; database_write: CheckResult };
  /** What failed, when something did: a stable code and a message for the operator. */
  error?: { code: 'database_unavailable'; message: string };
}

/**
 * Reads, then writes and commits one row. A read alone (`SELECT 1`) keeps answering while the
 * disk is full or read-only (SQLite serves reads from the file and its cache; a PostgreSQL
 * standby answers too), so the server looked healthy while every write failed. The write is an
 * upsert of one row, committed on its own: it fails exactly when the commits of real work
 * would (SQLITE_FULL, SQLITE_READONLY, SQLITE_IOERR…, PostgreSQL 25006/53100/connection errors).
 */
export async function probeDatabase(db: Kysely<Database>, now: number): Promise<DatabaseHealth> {
  try {
    await db.selectFrom('health_probe').select('id').limit(1).execute();
  } catch (error) {
    return failed('database_read', error);
  }
  try {
    await db
      .insertInto('health_probe')
      .values({ id: 1, checked_at: now })
      .onConflict((oc) => oc.column('id').doUpdateSet({ checked_at: now }))
      .execute();
  } catch (error) {
    return failed('database_write', error);
  }
  return { ok: true, checks: { database_read: 'ok', database_write: 'ok' } };
}

function failed(check: 'database_read' | 'database_write', error: unknown): DatabaseHealth {
  const failure = databaseFailure(error);
  const message = failure
    ? describeDatabaseFailure(failure)
    : `the database ${check === 'database_read' ? 'read' : 'write'} check failed: ${(error as Error)?.message ?? String(error)}`;
  return {
    ok: false,
    checks:
      check === 'database_read'
        ? { database_read: 'failed', database_write: 'skipped' }
        : { database_read: 'ok', database_write: 'failed' },
    error: { code: 'database_unavailable', message },
  };
}

/**
 * probeDatabase, at most once per `ttlMs` per database: load balancers may poll /healthz many
 * times a second and each probe is a committed write. Concurrent callers share the probe under
 * way; a failure is re-probed after `ttlMs` too, so the server reports itself healthy again
 * once the disk takes writes, without a restart.
 */
export class CachedDatabaseProbe {
  #last: { db: Kysely<Database>; at: number; health: Promise<DatabaseHealth> } | null = null;

  constructor(
    private readonly ttlMs = 1000,
    /** Monotonic, not the server's (possibly test-controlled) wall clock. */
    private readonly clock: () => number = () => performance.now(),
  ) {}

  check(db: Kysely<Database>, now: number): Promise<DatabaseHealth> {
    const at = this.clock();
    const last = this.#last;
    if (last && last.db === db && at - last.at < this.ttlMs) return last.health;
    const health = probeDatabase(db, now);
    this.#last = { db, at, health };
    return health;
  }
}
