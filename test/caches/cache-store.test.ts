/**
 * The server's cache store without Docker: expiry by age and total size (a controlled clock),
 * the embedded agent's in-process transport (same lease scoping as HTTP), the archive entry
 * checks, and `slipway cache … --server` against a real server.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import { checkEntry } from '../../src/backends/cache-archive-check.js';
import { main } from '../../src/cli/main.js';
import { CacheStore } from '../../src/server/caches/cache-store.js';
import { ensureEmbeddedAgent } from '../../src/server/queue/agent-registry.js';
import { LocalTransport } from '../../src/server/queue/local-transport.js';
import { migrateToLatest } from '../../src/server/store/migrate.js';
import { openDatabase } from '../../src/server/store/open-database.js';
import type { Database } from '../../src/server/store/tables.js';
import { seedProject, seedRun } from '../queue/queue-fixture.js';
import { startPostgres } from '../support/postgres.js';
import { projectRow } from '../support/rows.js';
import { startTestServer, type TestServer } from '../support/server.js';

let t: TestServer;
before(async () => {
  t = await startTestServer({ SLIPWAY_LEASE_TIMEOUT: '10m' });
});
after(async () => {
  await t?.close();
});

const body = (text: string) => Readable.from([Buffer.from(text)]);
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

/** The store's whole life on one database: used for SQLite and PostgreSQL alike. */
async function exerciseStore(db: Kysely<Database>, dataDir: string, projectId: string): Promise<void> {
  const clock = { now: 1_000_000 };
  const store = new CacheStore({
    db,
    dataDir,
    now: () => clock.now,
    maxBytes: 1024,
    totalBytes: 30,
    maxAgeMs: 1000,
  });
  const dir = join(dataDir, 'caches');
  const a = await store.put(projectId, 'a', ['/p'], body('aaaaaaaaaa'), null);
  assert.equal(a.sha256, sha('aaaaaaaaaa'));
  assert.ok(existsSync(join(dir, a.sha256)));
  // Same contents under another key: stored once.
  clock.now += 10;
  await store.put(projectId, 'a2', ['/p'], body('aaaaaaaaaa'), null);
  assert.equal(readdirSync(dir).length, 1);
  // A new upload of a key replaces it; the old archive goes when nothing names it.
  clock.now += 10;
  await store.put(projectId, 'b', ['/p'], body('bbbbbbbbbb'), null);
  clock.now += 10;
  const b2 = await store.put(projectId, 'b', ['/p'], body('BBBBBBBBBB'), null);
  assert.ok(!existsSync(join(dir, sha('bbbbbbbbbb'))));
  assert.ok(existsSync(join(dir, b2.sha256)));
  // Other paths: not this cache.
  assert.equal(await store.get(projectId, 'b', ['/q']), null);
  const got = await store.get(projectId, 'b', ['/p']);
  assert.equal(await readAll(got?.open() as Readable), 'BBBBBBBBBB');

  // Past the total (30 bytes; shared archives count once): the least recently used goes.
  clock.now += 10;
  await store.get(projectId, 'a', ['/p']);
  clock.now += 10;
  await store.put(projectId, 'c', ['/p'], body('cccccccccccc'), null);
  const keys = (await store.list(projectId)).map((e) => e.key).sort();
  assert.deepEqual(keys, ['a', 'c'], 'b (used least recently) and a2 (behind it) were evicted');

  // Age: unused for longer than maxAgeMs.
  clock.now += 500;
  await store.get(projectId, 'c', ['/p']);
  clock.now += 700;
  assert.equal(await store.sweep(), 1);
  assert.deepEqual(
    (await store.list(projectId)).map((e) => e.key),
    ['c'],
  );
  assert.deepEqual(readdirSync(dir), [sha('cccccccccccc')]);

  // Too large while streaming (no length declared): refused, nothing left behind.
  await assert.rejects(
    store.put(projectId, 'big', ['/p'], body('x'.repeat(2000)), null),
    (err: Error & { code?: string }) => err.code === 'too_large',
  );
  assert.deepEqual(readdirSync(dir), [sha('cccccccccccc')]);
  assert.equal(await store.clear(projectId), 1);
  assert.deepEqual(readdirSync(dir), []);
}

describe('cache store', () => {
  test('content-addressed archives; the latest upload of a key wins; expiry by age, then least recently used past the total', async () => {
    const project = await seedProject(t.server.ctx);
    await exerciseStore(t.server.ctx.db, join(t.dataDir, 'store-test'), project.id);
  });

  test('the same on PostgreSQL (migration 016, upserts, bigint sizes)', { timeout: 180_000 }, async () => {
    const cluster = await startPostgres();
    const dir = await mkdtemp(join(tmpdir(), 'slipway-cache-pg-'));
    const db = openDatabase(await cluster.createDatabase('caches'));
    try {
      await migrateToLatest(db as never);
      const project = projectRow();
      await db.insertInto('projects').values(project).execute();
      await exerciseStore(db, dir, project.id);
    } finally {
      await db.destroy();
      await cluster.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("the embedded agent's transport reaches the store for its lease's project only; untrusted leases cannot upload", async () => {
    const ctx = t.server.ctx;
    const agent = await ensureEmbeddedAgent(ctx.db, ctx.now());
    const transport = new LocalTransport(ctx.queue, agent.id, null, null, ctx.caches);
    const project = await seedProject(ctx);
    const other = await seedProject(ctx);
    await seedRun(ctx, project);
    const lease = await transport.lease(2000, new AbortController().signal);
    assert.ok(lease?.trusted);
    const ref = { key: 'k', paths: ['/opt/x'] };
    assert.equal(await transport.cacheDownload(lease.leaseId, ref), null);
    await transport.cacheUpload(lease.leaseId, ref, body('tar-bytes'));
    const got = await transport.cacheDownload(lease.leaseId, ref);
    assert.equal(got?.size, 9);
    assert.equal(await readAll(got?.tar as Readable), 'tar-bytes');
    assert.equal((await ctx.caches.store.list(project.id)).length, 1);
    assert.equal((await ctx.caches.store.list(other.id)).length, 0);

    await seedRun(ctx, other, { untrusted: true });
    const fork = await transport.lease(2000, new AbortController().signal);
    assert.equal(fork?.trusted, false);
    await assert.rejects(transport.cacheUpload(fork?.leaseId as string, ref, body('x')), /never write/);
    // Another project's key is not visible through this lease.
    assert.equal(await transport.cacheDownload(fork?.leaseId as string, ref), null);
    await ctx.caches.store.clear(project.id);
  });

  test('slipway cache ls|clear --server lists and clears the project caches through the API', async () => {
    const ctx = t.server.ctx;
    const project = await seedProject(ctx);
    await ctx.caches.store.put(project.id, 'deps-main', ['/w/node_modules'], body('12345'), null);
    const cli = async (...args: string[]) => {
      let out = '';
      const code = await main(['cache', ...args], {
        stdout: (text: string) => {
          out += text;
        },
        stderr: (text: string) => {
          out += text;
        },
        cwd: t.dataDir,
        env: { SLIPWAY_SERVER: t.url, SLIPWAY_TOKEN: t.adminToken },
      } as never);
      return { code, out };
    };
    const listed = await cli('ls', '--server', '--project', project.name);
    assert.equal(listed.code, 0, listed.out);
    assert.match(listed.out, /^KEY\s+PATHS\s+SIZE\s+USED\s+SAVED$/m);
    assert.match(listed.out, /^deps-main\s+\/w\/node_modules\s+5 B\s/m);
    const cleared = await cli('clear', '--server', '--project', project.name, '--key', 'deps-main');
    assert.equal(cleared.code, 0, cleared.out);
    assert.match(cleared.out, /removed 1 cache from the server's cache store/);
    const empty = await cli('ls', '--server', '--project', project.name);
    assert.match(empty.out, /no caches of .* in the server's cache store/);
    const viewer = await t.api(`/api/projects/${project.name}/caches`, { method: 'DELETE' });
    assert.equal(viewer.status, 200, 'an admin may clear');
  });

  test('archive entries: inside their cached directory, no "..", no absolute names, links stay inside', () => {
    const paths = ['/w/node_modules', '/root/.npm'];
    const ok = (name: string, extra: object = {}) => checkEntry({ name, ...extra }, paths).problem;
    assert.equal(ok('./', { type: 'directory' }), null);
    assert.equal(ok('./0/', { type: 'directory' }), null);
    assert.equal(ok('./1/_cacache/index'), null);
    assert.equal(ok('0/.bin/tsc', { type: 'symlink', linkname: '../typescript/bin/tsc' }), null);
    assert.equal(ok('1/x', { type: 'symlink', linkname: '/root/.npm/y' }), null);
    assert.equal(ok('0/a', { type: 'link', linkname: '0/b' }), null);
    assert.match(ok('/etc/passwd') ?? '', /absolute/);
    assert.match(ok('0/../../etc/passwd') ?? '', /"\.\."/);
    assert.match(ok('2/x') ?? '', /not inside a cached directory/);
    assert.match(ok('x') ?? '', /not inside a cached directory/);
    assert.match(ok('0/x', { type: 'symlink', linkname: '../../../etc' }) ?? '', /points outside/);
    assert.match(ok('0/x', { type: 'symlink', linkname: '/etc' }) ?? '', /points outside \/w\/node_modules/);
    assert.match(ok('0/x', { type: 'symlink', linkname: '/w/node_modules_evil' }) ?? '', /points outside/);
    assert.match(ok('0/a', { type: 'link', linkname: '1/b' }) ?? '', /hard link points outside/);
    assert.match(ok('0/dev', { type: 'block-device' }) ?? '', /not allowed/);
    assert.match(ok('0', { type: 'file' }) ?? '', /must be a directory/);
  });
});
