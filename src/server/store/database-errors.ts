/**
 * Recognises the driver errors that mean "the database cannot serve right now" (as opposed to a
 * bug or a constraint the caller broke): a full or read-only disk, an I/O error, a lock held too
 * long, a file that cannot be opened, a PostgreSQL server that is down, restarting, out of
 * connections or out of space. The HTTP edge answers these 503 (retry), never 500.
 */

/** Why the database is unavailable, for the message the user sees. */
export type DatabaseFailureKind = 'full' | 'read_only' | 'io' | 'busy' | 'cannot_open' | 'connection';

export interface DatabaseFailure {
  kind: DatabaseFailureKind;
  /** The driver's own code (SQLITE_FULL, 53100, ECONNREFUSED…), for logs and the message. */
  code: string;
}

const SQLITE_KINDS: [RegExp, DatabaseFailureKind][] = [
  [/^SQLITE_FULL/, 'full'],
  [/^SQLITE_READONLY/, 'read_only'],
  [/^SQLITE_(IOERR|CORRUPT|NOTADB|NOMEM)/, 'io'],
  [/^SQLITE_(BUSY|LOCKED)/, 'busy'],
  [/^SQLITE_CANTOPEN/, 'cannot_open'],
];

/**
 * PostgreSQL SQLSTATEs: class 08 (connection exception), 53 (insufficient resources: disk full
 * 53100, out of memory, too many connections), 57P01–57P05 (shutdown, crash, starting up,
 * database dropped, idle session timeout), 58030 (I/O error), 25006 (read-only transaction: a
 * standby or default_transaction_read_only).
 */
const POSTGRES_KINDS: [RegExp, DatabaseFailureKind][] = [
  [/^53100$/, 'full'],
  [/^25006$/, 'read_only'],
  [/^58030$/, 'io'],
  [/^(08[0-9A-Z]{3}|53[0-9A-Z]{3}|57P0[1-5])$/, 'connection'],
];

/** Node's socket errors, raised by pg when the server cannot be reached. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * Errors with no code at all: pg's dropped or unobtainable connections, and the error SQLite
 * gives a ROLLBACK after it already rolled back by itself, which only happens after a full disk,
 * an I/O error, a lock timeout or no memory (kept here in case a caller's ROLLBACK hides those).
 */
const MESSAGE_KINDS: [RegExp, DatabaseFailureKind][] = [
  [/^cannot rollback - no transaction is active$/, 'io'],
  [/^Connection terminated/, 'connection'],
  [/^timeout exceeded when trying to connect$/, 'connection'],
  [/is not queryable$/, 'connection'],
];

/** The database failure behind `error` (or its causes), or null when it is something else. */
export function databaseFailure(error: unknown): DatabaseFailure | null {
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length > 0) {
    const next = pending.shift();
    if (next === null || typeof next !== 'object' || seen.has(next)) continue;
    seen.add(next);
    const found = classify(next as { code?: unknown; message?: unknown });
    if (found) return found;
    const { cause, errors } = next as { cause?: unknown; errors?: unknown };
    pending.push(cause);
    if (Array.isArray(errors)) pending.push(...errors);
  }
  return null;
}

function classify(error: { code?: unknown; message?: unknown }): DatabaseFailure | null {
  const code = typeof error.code === 'string' ? error.code : '';
  const byCode = code.startsWith('SQLITE_')
    ? match(SQLITE_KINDS, code, code)
    : NETWORK_CODES.has(code)
      ? { kind: 'connection' as const, code }
      : match(POSTGRES_KINDS, code, code);
  if (byCode) return byCode;
  return typeof error.message === 'string' ? match(MESSAGE_KINDS, error.message, code || 'no code') : null;
}

function match(table: [RegExp, DatabaseFailureKind][], text: string, code: string): DatabaseFailure | null {
  for (const [pattern, kind] of table) if (pattern.test(text)) return { kind, code };
  return null;
}

/** What the user reads: what is wrong with the database, and that retrying is the answer. */
export function describeDatabaseFailure(failure: DatabaseFailure): string {
  const why: Record<DatabaseFailureKind, string> = {
    full: 'its disk is full',
    read_only: 'it is read-only',
    io: 'reading or writing it failed',
    busy: 'it stayed locked by another writer',
    cannot_open: 'its file cannot be opened',
    connection: 'the connection to it failed',
  };
  return `the database is unavailable (${why[failure.kind]}: ${failure.code}); retry once it is back`;
}
