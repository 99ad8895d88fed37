/**
 * First start: the admin (with a one-time password returned for the CLI to print once) and the
 * demo project with its first run; every later start changes nothing.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { FastifyBaseLogger } from 'fastify';
import { verifyPassword } from '../../src/server/auth/passwords.js';
import { bootstrap } from '../../src/server/bootstrap.js';
import { loadServerConfig } from '../../src/server/config.js';
import { createServer, type SlipwayServer } from '../../src/server/create-server.js';
import { type FakeRuns, type FakeSources, fakeRuns, fakeSources } from '../support/recording-fakes.js';
import { projectRow } from '../support/rows.js';

const DEMO_DIR = fileURLToPath(new URL('../../examples/demo', import.meta.url));

interface Setup {
  server: SlipwayServer;
  sources: FakeSources;
  runs: FakeRuns;
  logged: string[];
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function setup(env: Record<string, string> = {}): Promise<Setup> {
  const dataDir = mkdtempSync(join(tmpdir(), 'slipway-boot-'));
  const config = loadServerConfig({ SLIPWAY_DATA_DIR: dataDir, SLIPWAY_PORT: '0', ...env }, process.cwd());
  const server = await createServer(config);
  const sources = fakeSources();
  const runs = fakeRuns();
  const logged: string[] = [];
  server.ctx.sources = sources;
  server.ctx.runs = runs;
  server.ctx.log = recordingLogger(logged);
  cleanups.push(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return { server, sources, runs, logged };
}

describe('bootstrap', () => {
  test('first start: admin with a generated password, demo project with its first run; then nothing', async () => {
    const { server, sources, runs, logged } = await setup({ SLIPWAY_DEMO: 'true' });
    const first = await bootstrap(server.ctx, { demoDir: DEMO_DIR });
    assert.equal(first.adminUser, 'admin');
    assert.match(first.adminPassword ?? '', /^[A-Za-z0-9]{20}$/);
    assert.equal(first.demoProject, 'demo');
    assert.equal(first.firstRunNumber, 1);

    const admin = await server.ctx.db.selectFrom('users').selectAll().executeTakeFirstOrThrow();
    assert.equal(admin.role, 'admin');
    assert.equal(await verifyPassword(first.adminPassword!, admin.password_hash), true);
    assert.equal(admin.must_change_password, 1, 'a generated password must be replaced at first sign-in');

    const demo = await server.ctx.db.selectFrom('projects').selectAll().executeTakeFirstOrThrow();
    assert.equal(demo.name, 'demo');
    assert.equal(demo.source_kind, 'builtin');
    assert.deepEqual(
      sources.calls.map((c) => c.method),
      ['ensureRepository', 'commitDirectory', 'commitInfo'],
    );
    // A copy of the demo directory with its shell image's build context added (demo-shell-image.ts).
    assert.deepEqual(sources.calls[1]?.args.slice(1), ['main', 'Demo pipeline']);
    assert.notEqual(sources.calls[1]?.args[0], DEMO_DIR);
    assert.equal(runs.created.length, 1);
    const run = runs.created[0]!;
    assert.equal(run.trigger, 'api');
    assert.equal(run.actor, 'slipway');
    assert.deepEqual(run.event.ref, { kind: 'branch', name: 'main' });
    assert.equal(run.event.sha, sources.branches.get('demo')?.get('main'));

    const second = await bootstrap(server.ctx, { demoDir: DEMO_DIR });
    assert.deepEqual(second, {
      adminUser: 'admin',
      adminPassword: null,
      demoProject: null,
      firstRunNumber: null,
    });
    assert.equal((await server.ctx.db.selectFrom('users').selectAll().execute()).length, 1);
    assert.equal((await server.ctx.db.selectFrom('projects').selectAll().execute()).length, 1);
    assert.equal(runs.created.length, 1);

    assert.ok(!logged.join('\n').includes(first.adminPassword!), 'the password is never logged');
  });

  test('a configured admin password is used and not returned', async () => {
    const { server } = await setup({
      SLIPWAY_DEMO: 'false',
      SLIPWAY_ADMIN_USER: 'root',
      SLIPWAY_ADMIN_PASSWORD: 'configured-password',
    });
    const result = await bootstrap(server.ctx, { demoDir: DEMO_DIR });
    assert.deepEqual(result, {
      adminUser: 'root',
      adminPassword: null,
      demoProject: null,
      firstRunNumber: null,
    });
    const root = await server.ctx.db
      .selectFrom('users')
      .selectAll()
      .where('username', '=', 'root')
      .executeTakeFirstOrThrow();
    assert.equal(await verifyPassword('configured-password', root.password_hash), true);
    assert.equal(root.must_change_password, 0, 'a password the operator chose is theirs already');
    assert.equal((await server.ctx.db.selectFrom('projects').selectAll().execute()).length, 0, 'demo off');
  });

  test('no demo on a server that already has projects', async () => {
    const { server, runs } = await setup({ SLIPWAY_DEMO: 'true' });
    await server.ctx.db
      .insertInto('projects')
      .values(projectRow({ id: 'p1', name: 'mine', webhook_secret: 'x' }))
      .execute();
    const result = await bootstrap(server.ctx, { demoDir: DEMO_DIR });
    assert.equal(result.demoProject, null);
    assert.equal(runs.created.length, 0);
  });

  test('a demo whose first run could not start is removed, so the next start retries', async () => {
    const { server, runs } = await setup({ SLIPWAY_DEMO: 'true' });
    runs.failWith = new Error('engine down');
    await assert.rejects(bootstrap(server.ctx, { demoDir: DEMO_DIR }), /engine down/);
    assert.equal((await server.ctx.db.selectFrom('projects').selectAll().execute()).length, 0);
    runs.failWith = null;
    const retry = await bootstrap(server.ctx, { demoDir: DEMO_DIR });
    assert.equal(retry.adminPassword, null, 'the admin was made by the first attempt');
    assert.equal(retry.demoProject, 'demo');
    assert.equal(retry.firstRunNumber, 1);
  });
});

/** Records every log call's arguments as JSON. */
function recordingLogger(into: string[]): FastifyBaseLogger {
  const record =
    () =>
    (...args: unknown[]) => {
      into.push(JSON.stringify(args));
    };
  const logger = {
    level: 'trace',
    fatal: record(),
    error: record(),
    warn: record(),
    info: record(),
    debug: record(),
    trace: record(),
    silent: record(),
    child: () => logger,
  };
  return logger as unknown as FastifyBaseLogger;
}
