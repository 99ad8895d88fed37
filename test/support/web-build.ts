/**
 * Browser tests and the UI bench need the built UI in web/dist (the server serves it from there).
 * `ensureWebBuilt()` runs `vite build web` once when web/dist/index.html is missing or older than
 * any source of the UI; otherwise it costs a directory walk.
 *
 * Test files run in parallel processes, and a server of one may already be serving web/dist
 * while another finds it stale. So one process builds at a time (a lock directory), into a
 * directory of its own, and the finished build replaces web/dist in one rename: no server ever
 * reads a half-written or emptied build (a page whose scripts vanish mid-test renders blank).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..', '..');
const WEB = join(ROOT, 'web');
const DIST = join(WEB, 'dist');
export const WEB_INDEX = join(DIST, 'index.html');
const LOCK = join(WEB, '.dist-build.lock');
/** A lock older than this was left by a killed build. */
const STALE_LOCK_MS = 300_000;
const WAIT_FOR_OTHER_BUILD_MS = 240_000;

/** Newest modification time (ms) of the UI's sources: web/src, index.html, vite config, tsconfig. */
function newestSource(): number {
  let newest = 0;
  const visit = (path: string) => {
    const st = statSync(path);
    if (st.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
    else newest = Math.max(newest, st.mtimeMs);
  };
  visit(join(WEB, 'src'));
  for (const file of ['index.html', 'vite.config.ts', 'tsconfig.json']) {
    const path = join(WEB, file);
    if (existsSync(path)) visit(path);
  }
  return newest;
}

export function webBuildIsFresh(): boolean {
  return existsSync(WEB_INDEX) && statSync(WEB_INDEX).mtimeMs >= newestSource();
}

let building: Promise<void> | null = null;

/** Builds the UI unless web/dist is up to date. A child process keeps the bundler out of the test process. */
export function ensureWebBuilt(): Promise<void> {
  if (webBuildIsFresh()) return Promise.resolve();
  building ??= buildUnderLock().catch((error: Error & { stderr?: string }) => {
    building = null;
    throw new Error(`vite build web failed: ${error.stderr || error.message}`);
  });
  return building;
}

async function buildUnderLock(): Promise<void> {
  const deadline = Date.now() + WAIT_FOR_OTHER_BUILD_MS;
  while (!takeLock()) {
    // Another process is building: its result is ours too.
    if (webBuildIsFresh()) return;
    if (Date.now() > deadline)
      throw new Error(`another process held ${LOCK} for over ${WAIT_FOR_OTHER_BUILD_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  try {
    if (webBuildIsFresh()) return;
    const out = join(WEB, `dist.building-${process.pid}`);
    const old = join(WEB, `dist.replaced-${process.pid}`);
    rmSync(out, { recursive: true, force: true });
    await execFileAsync(
      process.execPath,
      [
        join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'),
        'build',
        'web',
        '--outDir',
        out,
        '--emptyOutDir',
      ],
      {
        cwd: ROOT,
        timeout: 180_000,
        maxBuffer: 16 * 1024 * 1024,
        env: { ...process.env, NODE_ENV: 'production' },
      },
    );
    if (!existsSync(join(out, 'index.html')))
      throw new Error(`vite build web finished but ${out}/index.html is missing`);
    rmSync(old, { recursive: true, force: true });
    if (existsSync(DIST)) renameSync(DIST, old);
    renameSync(out, DIST);
    rmSync(old, { recursive: true, force: true });
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** mkdir is atomic: whoever creates the lock directory builds. A stale lock is taken over. */
function takeLock(): boolean {
  try {
    mkdirSync(LOCK);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  try {
    if (Date.now() - statSync(LOCK).mtimeMs > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true });
  } catch {
    // Released between the two calls: the next try takes it.
  }
  return false;
}
