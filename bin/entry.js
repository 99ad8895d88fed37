// Which code `slipway` runs: the compiled JavaScript in dist/ when it is at least as new as every
// source file, else the TypeScript sources through tsx's loader. Loading tsx costs ~0.4 s per
// start, so the compiled output is what makes a quick command quick; the fallback keeps a
// fresh clone (or an edited checkout) working without a build step. Plain JavaScript on
// purpose: it runs before any loader exists.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The stamp `npm run build` writes last: its time is when the whole build finished. */
export const BUILD_STAMP = join('dist', '.build-stamp');
export const COMPILED_MAIN = join('dist', 'cli', 'main.js');
export const SOURCE_MAIN = join('src', 'cli', 'main.ts');

/**
 * `compiled` when `root`'s dist/ was built after the newest file in src/ changed (or there is
 * no src/, as in a published package), else `sources`.
 */
export function chooseEntry(root) {
  const stamp = join(root, BUILD_STAMP);
  if (!existsSync(stamp) || !existsSync(join(root, COMPILED_MAIN))) return 'sources';
  const src = join(root, 'src');
  if (!existsSync(src)) return 'compiled';
  const builtAt = statSync(stamp).mtimeMs;
  // A stat per source file (~300): a few milliseconds, far below what a stale build would cost
  // in confusion. Directories count too: a deleted file changes its directory's time.
  for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath ?? entry.path, entry.name);
    if (statSync(path).mtimeMs > builtAt) return 'sources';
  }
  if (statSync(src).mtimeMs > builtAt) return 'sources';
  return 'compiled';
}
