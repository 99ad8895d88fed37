// `node --import ./test/support/module-log.mjs …` with MODULE_LOG_FILE set: appends the URL of
// every module the program resolves (its own, packages', built-ins) to that file, one a line.
// Evidence of what a command loads — not timing — for the lazy-loading tests. Plain JavaScript
// so that it also runs under the compiled CLI, where no TypeScript loader exists.
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

let logFile = '';

/** Hooks thread: told where to write by register()'s data. */
export function initialize(data) {
  logFile = data.file;
}

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  if (logFile) appendFileSync(logFile, `${resolved.url}\n`);
  return resolved;
}

// Main thread only: the hooks thread loads this same file and must not register it again.
if (isMainThread && process.env.MODULE_LOG_FILE) {
  register(import.meta.url, { data: { file: process.env.MODULE_LOG_FILE } });
}
