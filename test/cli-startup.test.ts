/**
 * Issue #11, fast CLI: bin/slipway.js runs the compiled output when it is up to date (and the
 * sources through tsx otherwise), and each command loads only its own code. Checked by what
 * the process resolves (a module-resolution hook), never by timing.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
// @ts-expect-error -- plain JavaScript (it runs before any loader), no declarations.
import { chooseEntry } from '../bin/entry.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const HOOK = fileURLToPath(new URL('./support/module-log.mjs', import.meta.url));
const pickEntry = chooseEntry as (root: string) => 'compiled' | 'sources';

describe('which code bin/slipway.js runs', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-entry-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('sources without a build, compiled once built, sources again after an edit', () => {
    const root = join(dir, 'checkout');
    mkdirSync(join(root, 'src', 'cli'), { recursive: true });
    writeFileSync(join(root, 'src', 'cli', 'main.ts'), 'export {};\n');
    assert.equal(pickEntry(root), 'sources');

    mkdirSync(join(root, 'dist', 'cli'), { recursive: true });
    writeFileSync(join(root, 'dist', 'cli', 'main.js'), 'export {};\n');
    assert.equal(pickEntry(root), 'sources', 'a dist/ without the stamp is an unfinished build');

    const past = new Date(Date.now() - 60_000);
    for (const path of ['src/cli/main.ts', 'src/cli', 'src']) utimesSync(join(root, path), past, past);
    writeFileSync(join(root, 'dist', '.build-stamp'), '');
    // The stamp is dated between the sources and the edit below: file times are only as fine
    // as the kernel's clock tick, so an edit right after the build could carry the same time.
    const built = new Date(Date.now() - 30_000);
    utimesSync(join(root, 'dist', '.build-stamp'), built, built);
    assert.equal(pickEntry(root), 'compiled');

    writeFileSync(join(root, 'src', 'cli', 'main.ts'), 'export const edited = 1;\n');
    assert.equal(pickEntry(root), 'sources', 'a source newer than the build');
  });

  test('a published package (dist/ without src/) runs the compiled output', () => {
    const root = join(dir, 'package');
    mkdirSync(join(root, 'dist', 'cli'), { recursive: true });
    writeFileSync(join(root, 'dist', 'cli', 'main.js'), 'export {};\n');
    writeFileSync(join(root, 'dist', '.build-stamp'), '');
    // The stamp is dated between the sources and the edit below: file times are only as fine
    // as the kernel's clock tick, so an edit right after the build could carry the same time.
    const built = new Date(Date.now() - 30_000);
    utimesSync(join(root, 'dist', '.build-stamp'), built, built);
    assert.equal(pickEntry(root), 'compiled');
  });
});

describe('the compiled CLI', () => {
  // This checkout's own build when it is current (what `npm install` made); else a build of
  // the sources into a package-shaped temp directory, leaving this checkout's dist/ alone.
  let root = ROOT;
  let temp = '';
  before(async () => {
    if (pickEntry(ROOT) === 'compiled') return;
    temp = mkdtempSync(join(tmpdir(), 'slipway-compiled-'));
    const tsc = fileURLToPath(import.meta.resolve('typescript/bin/tsc'));
    await run(
      process.execPath,
      [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(temp, 'dist')],
      {
        cwd: ROOT,
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    writeFileSync(join(temp, 'dist', '.build-stamp'), '');
    cpSync(join(ROOT, 'bin'), join(temp, 'bin'), { recursive: true });
    cpSync(join(ROOT, 'package.json'), join(temp, 'package.json'));
    symlinkSync(join(ROOT, 'node_modules'), join(temp, 'node_modules'));
    root = temp;
  });
  after(() => {
    if (temp) rmSync(temp, { recursive: true, force: true });
  });

  /** Runs bin/slipway.js with the resolution hook; its output and every module it resolved. */
  async function slipway(args: string[], cwd: string): Promise<{ stdout: string; modules: string[] }> {
    const log = join(mkdtempSync(join(tmpdir(), 'slipway-modules-')), 'modules.txt');
    writeFileSync(log, '');
    try {
      const { stdout } = await run(
        process.execPath,
        ['--import', HOOK, join(root, 'bin', 'slipway.js'), ...args],
        {
          cwd,
          env: { ...process.env, MODULE_LOG_FILE: log },
        },
      );
      return { stdout, modules: readFileSync(log, 'utf8').split('\n').filter(Boolean) };
    } finally {
      rmSync(join(log, '..'), { recursive: true, force: true });
    }
  }

  test('--version runs from dist/ without the TypeScript loader', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const { stdout, modules } = await slipway(['--version'], ROOT);
    assert.equal(stdout, `slipway ${pkg.version}\n`);
    assert.ok(
      modules.some((m) => m.endsWith('/dist/cli/main.js')),
      `dist/cli/main.js not loaded:\n${modules.join('\n')}`,
    );
    const unwanted = modules.filter((m) => m.includes('/node_modules/tsx/') || /\.tsx?$/.test(m));
    assert.deepEqual(unwanted, [], 'the compiled CLI loads no TypeScript and no tsx');
  });

  test('lint loads the pipeline checker only: no server, Docker client or database driver', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-lint-'));
    try {
      writeFileSync(
        join(dir, '.slipway.yml'),
        'version: 1\nimage: alpine\nstages:\n  - name: test\n    jobs:\n      unit: { script: ["true"] }\n',
      );
      const { stdout, modules } = await slipway(['lint'], dir);
      assert.match(stdout, /\S/, 'lint reports on the file');
      assert.ok(
        modules.some((m) => m.endsWith('/dist/cli/lint.js')),
        'the lint command itself is loaded',
      );
      const heavy =
        /\/node_modules\/(fastify|@fastify|dockerode|kysely|better-sqlite3|pg|react|vite)\/|\/dist\/(server|backends|runtime|agent)\//;
      assert.deepEqual(
        modules.filter((m) => heavy.test(m)),
        [],
        'lint must not load server, backend or database code',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
