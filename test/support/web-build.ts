/**
 * Browser tests and the UI bench need the built UI in web/dist (the server serves it from there).
 * `ensureWebBuilt()` runs `vite build web` once when web/dist/index.html is missing or older than
 * any source of the UI; otherwise it costs a directory walk.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..', '..');
const WEB = join(ROOT, 'web');
export const WEB_INDEX = join(WEB, 'dist', 'index.html');

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
  building ??= execFileAsync(
    process.execPath,
    [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', 'web'],
    {
      cwd: ROOT,
      timeout: 180_000,
      maxBuffer: 16 * 1024 * 1024,
      env: { ...process.env, NODE_ENV: 'production' },
    },
  )
    .then(() => {
      if (!existsSync(WEB_INDEX))
        throw new Error('vite build web finished but web/dist/index.html is missing');
    })
    .catch((error: Error & { stderr?: string }) => {
      building = null;
      throw new Error(`vite build web failed: ${error.stderr || error.message}`);
    });
  return building;
}
