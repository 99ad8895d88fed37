/**
 * Runs every `*.test.ts` under test/ with node's own test runner (through tsx).
 * Node 20's `--test` does not expand globs or know `.ts`, hence this small finder.
 * Arguments narrow the set: `npm test -- config` runs files whose path contains "config".
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ensureWebBuilt } from '../test/support/web-build.js';

function findTests(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (entry.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

const filters = process.argv.slice(2);
const files = findTests('test')
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}
// The UI is built once here, before test files start in parallel, when any of them serves it:
// its build then costs no test's time budget, and no test meets another one's build.
const servesUi = (file: string) => /ensureWebBuilt|support\/ui-run\.js/.test(readFileSync(file, 'utf8'));
if (files.some(servesUi)) {
  console.log('building the UI (web/dist) for the browser tests, unless it is up to date');
  await ensureWebBuilt();
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
