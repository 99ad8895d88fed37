import {
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { sqliteDatabaseInUse } from './database-in-use.js';
import { serverRunning } from './server-lock.js';

/** A refusal the operator can fix (wrong URL or file, existing destination, running server). */
export class BackupRefused extends Error {}

/** Where kysely records applied migrations; its presence marks a Slipway database. */
const MIGRATION_TABLE = 'kysely_migration';

function sqlitePath(databaseUrl: string): string {
  if (/^postgres(ql)?:\/\//.test(databaseUrl))
    throw new BackupRefused(
      'slipway backup/restore work on SQLite only; this server uses PostgreSQL: back it up with ' +
        'pg_dump (e.g. pg_dump -Fc -f slipway.dump "$SLIPWAY_DATABASE_URL") and restore with pg_restore',
    );
  if (!databaseUrl.startsWith('sqlite:'))
    throw new BackupRefused('backup/restore support sqlite: URLs; use pg_dump for PostgreSQL');
  const path = databaseUrl.slice('sqlite:'.length);
  if (path === '' || path === ':memory:')
    throw new BackupRefused(`cannot back up or restore "${databaseUrl}"`);
  return resolve(path);
}

/**
 * An online, consistent copy of the SQLite database, safe while the server is writing: SQLite's
 * backup API copies a snapshot page by page. Never overwrites `destination`: the copy is written
 * beside it and then hard-linked into place, which fails atomically if the name is taken.
 */
export async function backupDatabase(databaseUrl: string, destination: string): Promise<{ bytes: number }> {
  const source = sqlitePath(databaseUrl);
  const target = resolve(destination);
  if (existsSync(target)) throw new BackupRefused(`${target} already exists; choose a new backup file name`);
  if (!existsSync(source)) throw new BackupRefused(`no database at ${source}`);
  const partial = `${target}.partial-${process.pid}`;
  rmSync(partial, { force: true });
  const db = new SQLite(source, { readonly: true, fileMustExist: true });
  try {
    // All remaining pages in one step: in small steps, every commit of the running server
    // restarts the copy, and a busy server's database larger than one step never finishes.
    await db.backup(partial, { progress: () => 0x7fffffff });
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    db.close();
  }
  try {
    // The copy carries the source's WAL flag; make it one self-contained file instead, so that
    // opening it (e.g. to verify it) creates no -wal/-shm files beside it.
    const copy = new SQLite(partial, { fileMustExist: true });
    try {
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    fsyncFile(partial);
    linkSync(partial, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw new BackupRefused(`${target} already exists; choose a new backup file name`);
    throw error;
  } finally {
    rmSync(partial, { force: true });
  }
  fsyncDir(dirname(target));
  return { bytes: statSync(target).size };
}

/**
 * Replaces the database with a backup, offline only: refuses while a server holds the lock in
 * `dataDir` (default: the database's directory) or while any process has the database file
 * open, through whichever path (database-in-use.ts). The backup is copied beside the database,
 * the copy verified (a healthy SQLite file with Slipway's schema), synced, and renamed over it after the
 * old `-wal`/`-shm` files are removed, so a crash leaves the old database or the new one.
 */
export async function restoreDatabase(databaseUrl: string, source: string, dataDir?: string): Promise<void> {
  const target = sqlitePath(databaseUrl);
  const from = resolve(source);
  if (!existsSync(from)) throw new BackupRefused(`no backup file at ${from}`);
  const lockDir = dataDir ?? dirname(target);
  refuseWhileInUse(target, lockDir);

  mkdirSync(dirname(target), { recursive: true });
  const tmp = `${target}.restore-tmp`;
  removeWithSidecars(tmp);
  try {
    copyFileSync(from, tmp);
    verifyBackup(tmp, from); // check the copy, so what is installed is what was checked
    removeWithSidecars(tmp, false);
    fsyncFile(tmp);
    refuseWhileInUse(target, lockDir, 'a Slipway server started during the restore; nothing was changed: ');
    // The old database's sidecars would be replayed onto the new file: drop them first.
    for (const sidecar of ['-wal', '-shm', '-journal']) rmSync(`${target}${sidecar}`, { force: true });
    renameSync(tmp, target);
  } catch (error) {
    removeWithSidecars(tmp);
    throw error;
  }
  fsyncDir(dirname(target));
}

function refuseWhileInUse(target: string, lockDir: string, prefix = ''): void {
  const pid = serverRunning(lockDir);
  if (pid !== null)
    throw new BackupRefused(
      `${prefix}the Slipway server (pid ${pid}) is running on ${lockDir}; stop it before restoring`,
    );
  if (sqliteDatabaseInUse(target))
    throw new BackupRefused(
      `${prefix}${realPath(target)} is open in another process (a Slipway server using it, perhaps through ` +
        'another path or data directory); stop it before restoring',
    );
}

/** The path with every symlink resolved, to name the file all the aliases point at. */
function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function verifyBackup(copy: string, path: string): void {
  let db: SQLite.Database;
  try {
    db = new SQLite(copy, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new BackupRefused(`${path} cannot be opened as SQLite: ${(error as Error).message}`);
  }
  try {
    let integrity: unknown;
    try {
      integrity = db.pragma('integrity_check', { simple: true });
    } catch (error) {
      throw new BackupRefused(`${path} is not a SQLite database (${(error as Error).message})`);
    }
    if (integrity !== 'ok')
      throw new BackupRefused(`${path} fails the SQLite integrity check: ${String(integrity)}`);
    const tables = new Set(
      (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
        (r) => r.name,
      ),
    );
    for (const required of [MIGRATION_TABLE, 'runs'])
      if (!tables.has(required))
        throw new BackupRefused(
          `${path} is not a Slipway backup (the SQLite database has no "${required}" table)`,
        );
  } finally {
    db.close();
  }
}

function removeWithSidecars(path: string, includeMain = true): void {
  if (includeMain) rmSync(path, { force: true });
  for (const sidecar of ['-wal', '-shm', '-journal']) rmSync(`${path}${sidecar}`, { force: true });
}

function fsyncFile(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function fsyncDir(path: string): void {
  try {
    const fd = openSync(path, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic.
  }
}
