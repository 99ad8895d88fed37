import { existsSync } from 'node:fs';
import SQLite from 'better-sqlite3';

/**
 * Whether another process has the SQLite database at `path` open (a running server), whatever
 * path it used to open it: a symlink, a bind mount, a relative path, a hard link.
 *
 * A pid file in the data directory (server-lock.ts) only answers for that directory; a server
 * configured with another data directory, or reached through another path, went unseen, and
 * `restore` replaced the database under it. This asks the file itself: every connection to a
 * WAL database keeps a shared lock on the file (an OS lock: per file, not per path) while it is
 * open, so an exclusive lock is granted only when nobody else has it open. The lock is taken
 * without waiting and released at once.
 */
export function sqliteDatabaseInUse(path: string): boolean {
  if (!existsSync(path)) return false;
  let db: SQLite.Database;
  try {
    db = new SQLite(path, { fileMustExist: true });
  } catch (error) {
    return isLockError(error);
  }
  try {
    db.pragma('busy_timeout = 0');
    // Exclusive locking mode: the transaction below needs the file's exclusive lock, not just
    // WAL's writer lock (which an idle server does not hold).
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('ROLLBACK');
    return false;
  } catch (error) {
    // Anything else (not a database at all…) is not "in use": the caller decides what to do.
    return isLockError(error);
  } finally {
    db.close();
  }
}

function isLockError(error: unknown): boolean {
  return /^SQLITE_(BUSY|LOCKED)/.test(String((error as { code?: unknown }).code ?? ''));
}
