import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `<dataDir>/server.pid`: held by a running server so that a second server on the same data
 * directory refuses to start, and so that a refusal can name the pid. It only answers for that
 * directory: offline operations (restore) also ask the database file itself, which knows whether
 * any process has it open through whatever path (database-in-use.ts).
 * A file naming a dead pid is stale and is taken over.
 */
export function serverLockPath(dataDir: string): string {
  return join(dataDir, 'server.pid');
}

/** The pid of the live server holding the lock in `dataDir`, or null (no file, or a stale one). */
export function serverRunning(dataDir: string): number | null {
  const pid = readPid(serverLockPath(dataDir));
  return pid !== null && isAlive(pid) ? pid : null;
}

/** Takes the lock for this process; throws when a live server holds it. Returns release(). */
export function acquireServerLock(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const path = serverLockPath(dataDir);
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx', mode: 0o644 });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      const holder = serverRunning(dataDir);
      if (holder !== null)
        throw new Error(
          `another Slipway server (pid ${holder}) is using ${dataDir}; stop it first (or remove ${path} if that pid is not Slipway)`,
        );
      unlinkSync(path); // stale: its process is gone; take it over
    }
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    // Remove only our own lock, never one a later server has taken over.
    if (readPid(path) === process.pid) {
      try {
        unlinkSync(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  };
}

function readPid(path: string): number | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const pid = Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user — still alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
