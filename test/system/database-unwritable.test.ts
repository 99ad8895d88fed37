/**
 * A database that stops taking writes while the server runs. What truly makes SQLite's writes
 * fail for root here: not `chmod a-w` (root ignores modes, and SQLite keeps its open file
 * descriptors), not `mount -o remount,ro` (refused, "mount point is busy", while SQLite holds a
 * file open for writing), but a small tmpfs of its own, filled up: SQLite's next commit gets
 * ENOSPC → SQLITE_FULL as on a full production disk, and deleting the filler gives the space
 * back. Mounting needs root (CAP_SYS_ADMIN); without it that case is skipped and says why.
 * The other cases need no root: they cap the file's size (PRAGMA max_page_count) or make the
 * connection read-only (PRAGMA query_only), which SQLite reports as on a real disk.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createServer } from '../../src/server/create-server.js';
// Renamed: biome takes use* for a React hook.
import { configSources, useSources as readGitFrom } from '../runs/fixtures.js';
import { projectRow } from '../support/rows.js';
import { createUserWithToken, testServerConfig } from '../support/server.js';

/** A server on `dataDir` with a project "shop" whose manual runs need no git. */
async function serverWithProject(dataDir: string) {
  const server = await createServer(testServerConfig(dataDir));
  const url = await server.listen();
  const token = await createUserWithToken(server, 'admin', 'admin');
  readGitFrom(
    { server, url, dataDir, adminToken: token, api: fetch, close: async () => {} },
    configSources(),
  );
  await server.ctx.db
    .insertInto('projects')
    .values(projectRow({ name: 'shop' }))
    .execute();
  const manualRun = (body: unknown = {}) =>
    fetch(`${url}/api/projects/shop/runs`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    });
  /** /healthz, asked again (for up to ~10 s) until it answers `status`; the last answer. */
  const healthzUntil = async (status: number): Promise<Response> => {
    let res = await fetch(`${url}/healthz`);
    for (let attempt = 0; attempt < 100 && res.status !== status; attempt++) {
      await new Promise((r) => setTimeout(r, 100));
      res = await fetch(`${url}/healthz`);
    }
    return res;
  };
  return { server, manualRun, healthzUntil };
}

async function assertDatabaseUnavailable(res: Response, cause: RegExp): Promise<void> {
  const body = (await res.json()) as { error: { code: string; message: string } };
  assert.equal(res.status, 503, JSON.stringify(body));
  assert.equal(body.error.code, 'database_unavailable');
  assert.match(body.error.message, cause);
}

/** Fills the file system holding `dir` until it refuses another byte; returns the filler's path. */
function fillDisk(dir: string): string {
  const filler = join(dir, 'filler');
  const fd = openSync(filler, 'w');
  try {
    for (const size of [1024 * 1024, 64 * 1024, 4096, 512, 1]) {
      const chunk = Buffer.alloc(size, 1);
      for (;;) {
        try {
          writeSync(fd, chunk);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw error;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return filler;
}

const mountPoint = mkdtempSync(join(tmpdir(), 'slipway-small-disk-'));
let mounted = false;
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', mountPoint], { stdio: 'ignore' });
  mounted = true;
} catch {
  rmSync(mountPoint, { recursive: true, force: true });
}

// CI runs as root: there the real full disk must be tested, never skipped.
const skip = !mounted && process.env.CI !== 'true' && 'needs root to mount a small tmpfs';
describe('a full disk under the database', { skip }, () => {
  let t: Awaited<ReturnType<typeof serverWithProject>>;
  before(async () => {
    assert.ok(mounted, 'could not mount a 16 MiB tmpfs (CI runs as root and must test a full disk)');
    t = await serverWithProject(join(mountPoint, 'data'));
  });
  after(async () => {
    await t?.server.close();
    if (mounted) execFileSync('umount', ['-l', mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  });

  it('answers 503 database_unavailable to writes and on /healthz, then recovers by itself', async () => {
    assert.equal((await t.manualRun()).status, 201, 'writes work before the disk fills');
    assert.equal((await t.healthzUntil(200)).status, 200);

    // Start the write-ahead log from zero so that the next commit has to grow it.
    await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(t.server.ctx.db);
    const filler = fillDisk(mountPoint);
    try {
      await assertDatabaseUnavailable(await t.manualRun(), /disk is full: SQLITE_FULL/);
      // /healthz caches its answer for a moment: the 200 above may still be served at first.
      const health = await t.healthzUntil(503);
      const report = (await health.json()) as Record<string, unknown>;
      assert.equal(health.status, 503, JSON.stringify(report));
      assert.equal(report.status, 'error');
      assert.deepEqual(report.checks, { database_read: 'ok', database_write: 'failed' });
      assert.match(JSON.stringify(report.error), /database_unavailable.*disk is full: SQLITE_FULL/);
    } finally {
      rmSync(filler);
    }

    // Space is back: /healthz turns 200 again, and writes work, without a restart.
    assert.equal((await t.healthzUntil(200)).status, 200, '/healthz recovered');
    const again = await t.manualRun();
    assert.equal(again.status, 201, await again.clone().text());
  });
});

describe('a database that refuses writes (no root needed)', () => {
  let t: Awaited<ReturnType<typeof serverWithProject>>;
  let dataDir: string;
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'slipway-size-limit-'));
    t = await serverWithProject(dataDir);
  });
  after(async () => {
    await t?.server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a write SQLite rolled back by itself answers 503 SQLITE_FULL, not the failed ROLLBACK as a 500', async () => {
    const { db } = t.server.ctx;
    const pages = (await sql<{ page_count: number }>`PRAGMA page_count`.execute(db)).rows[0]?.page_count;
    await sql.raw(`PRAGMA max_page_count = ${Number(pages)}`).execute(db);
    try {
      // A value larger than a page needs new pages, which the cap refuses.
      const big = { variables: { PAYLOAD: 'x'.repeat(60 * 1024) } };
      await assertDatabaseUnavailable(await t.manualRun(big), /disk is full: SQLITE_FULL/);
    } finally {
      await sql`PRAGMA max_page_count = 1073741823`.execute(db);
    }
    assert.equal((await t.manualRun()).status, 201);
  });

  it('read-only (PRAGMA query_only): /healthz names the write check, writes answer 503, both recover', async () => {
    const { db } = t.server.ctx;
    await sql`PRAGMA query_only = ON`.execute(db);
    try {
      const health = await t.healthzUntil(503);
      const report = (await health.json()) as Record<string, unknown>;
      assert.equal(health.status, 503, JSON.stringify(report));
      assert.deepEqual(report.checks, { database_read: 'ok', database_write: 'failed' });
      assert.match(JSON.stringify(report.error), /read-only: SQLITE_READONLY/);
      await assertDatabaseUnavailable(await t.manualRun(), /read-only: SQLITE_READONLY/);
    } finally {
      await sql`PRAGMA query_only = OFF`.execute(db);
    }
    assert.equal((await t.healthzUntil(200)).status, 200);
    assert.equal((await t.manualRun()).status, 201);
  });
});
