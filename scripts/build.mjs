// `npm run build` (also npm's `prepare`, so `npm install` in a clone builds): compiles src/ to
// dist/ and then writes dist/.build-stamp dated to when compiling *started*, so that a source
// edited during the build counts as newer and bin/slipway.js keeps running the sources until
// the next build (see bin/entry.js). No stamp after a failed compile: the sources run instead.
// Plain JavaScript: it must run where nothing is compiled yet and without tsx.
// `--optional` (the prepare step): a failed or impossible build (no TypeScript installed, a type
// error) warns instead of failing `npm install`, since the CLI still runs from the sources.
import { spawnSync } from 'node:child_process';
import { cpSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const optional = process.argv.includes('--optional');
const dist = new URL('../dist/', import.meta.url);
const started = new Date();
// Files of deleted sources must not linger in dist/.
rmSync(dist, { recursive: true, force: true });
let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  process.stderr.write('build: TypeScript is not installed; bin/slipway.js runs the sources\n');
  process.exit(optional ? 0 : 1);
}
const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
  cwd: root,
  stdio: 'inherit',
});
if (result.status !== 0) {
  process.stderr.write('build: tsc failed; bin/slipway.js keeps running the TypeScript sources\n');
  process.exit(optional ? 0 : (result.status ?? 1));
}
// Files the server reads at run time beside its modules (tsc copies only what it compiles).
cpSync(new URL('../src/server/collect/assets/', import.meta.url), new URL('server/collect/assets/', dist), {
  recursive: true,
});
const stamp = new URL('.build-stamp', dist);
writeFileSync(stamp, `${started.toISOString()}\n`);
utimesSync(stamp, started, started);
