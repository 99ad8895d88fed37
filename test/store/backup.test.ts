import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { backupCommand, restoreCommand } from '../../src/cli/backup.js';
import type { CliIO } from '../../src/cli/exec.js';
import { UsageError } from '../../src/cli/usage-error.js';
import { BackupRefused, backupDatabase, restoreDatabase } from '../../src/server/store/backup.js';
import { migrateToLatest } from '../../src/server/store/migrate.js';
import { openDatabase } from '../../src/server/store/open-database.js';
import { acquireServerLock, serverLockPath, serverRunning } from '../../src/server/store/server-lock.js';
import { projectRow, runRow } from '../support/rows.js';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'slipway-backup-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

let seq = 0;
function freshDir(): string {
  return join(root, `d${++seq}`);
}

/** A migrated database in a new data dir, with one project and `runs` runs. */
async function seededDatabase(runs = 1) {
  const dataDir = freshDir();
  const url = `sqlite:${join(dataDir, 'slipway.db')}`;
  const db = openDatabase(url);
  await migrateToLatest(db as never);
  const project = projectRow({ name: 'alpha' });
  await db.insertInto('projects').values(project).execute();
  for (let n = 1; n <= runs; n++)
    await db
      .insertInto('runs')
      .values(runRow({ project_id: project.id, number: n }))
      .execute();
  return { dataDir, url, db, project };
}

function ioIn(cwd: string, env: Record<string, string>): CliIO & { out: string[] } {
  const out: string[] = [];
  return { out, stdout: (t) => out.push(t), stderr: (t) => out.push(t), cwd, env, color: false };
}

describe('backupDatabase / restoreDatabase', () => {
  it('backs up while another connection writes, and restores into a fresh data dir', async () => {
    const { url, db, project } = await seededDatabase(1);
    try {
      // A second connection keeps committing runs while the backup copies pages.
      let writing = true;
      let written = 1;
      const writer = (async () => {
        while (writing) {
          written++;
          await db
            .insertInto('runs')
            .values(runRow({ project_id: project.id, number: written }))
            .execute();
          await new Promise((r) => setImmediate(r));
        }
      })();
      await new Promise((r) => setTimeout(r, 20));
      const file = join(root, `backup-${++seq}.db`);
      const { bytes } = await backupDatabase(url, file);
      writing = false;
      await writer;
      assert.ok(bytes > 0);
      const header = readFileSync(file);
      assert.deepEqual([header[18], header[19]], [1, 1], 'a self-contained (non-WAL) file');
      assert.ok(written > 2, 'the writer committed during the test');
      assert.deepEqual(
        readdirSync(root).filter((f) => f.includes('.partial-')),
        [],
        'no partial file left behind',
      );

      const target = freshDir();
      const targetUrl = `sqlite:${join(target, 'slipway.db')}`;
      await restoreDatabase(targetUrl, file, target);
      const restored = openDatabase(targetUrl);
      try {
        const projects = await restored.selectFrom('projects').select(['id', 'name']).execute();
        assert.deepEqual(projects, [{ id: project.id, name: 'alpha' }]);
        const numbers = (await restored.selectFrom('runs').select('number').orderBy('number').execute()).map(
          (r) => r.number,
        );
        // A consistent snapshot: runs 1..k with no gaps, k at most what was written.
        assert.ok(numbers.length >= 1 && numbers.length <= written);
        assert.deepEqual(
          numbers,
          numbers.map((_, i) => i + 1),
        );
        assert.deepEqual(await migrateToLatest(restored as never), [], 'the restored schema is current');
      } finally {
        await restored.destroy();
      }
      assert.equal(existsSync(join(target, 'slipway.db.restore-tmp')), false);
    } finally {
      await db.destroy();
    }
  });

  it('restores over an existing, stopped database', async () => {
    const source = await seededDatabase(3);
    const file = join(root, `backup-${++seq}.db`);
    await backupDatabase(source.url, file);
    await source.db.destroy();

    const target = await seededDatabase(7);
    await target.db.destroy();
    await restoreDatabase(target.url, file, target.dataDir);
    assert.equal(existsSync(join(target.dataDir, 'slipway.db-wal')), false);
    const db = openDatabase(target.url);
    try {
      const runs = await db.selectFrom('runs').select('number').execute();
      assert.equal(runs.length, 3);
    } finally {
      await db.destroy();
    }
  });

  it('refuses to overwrite an existing backup file', async () => {
    const { url, db } = await seededDatabase();
    try {
      const file = join(root, `exists-${++seq}.db`);
      writeFileSync(file, 'precious');
      await assert.rejects(backupDatabase(url, file), (e: Error) => {
        assert.ok(e instanceof BackupRefused);
        assert.match(e.message, /already exists/);
        return true;
      });
    } finally {
      await db.destroy();
    }
  });

  it('refuses a file that is not SQLite, and a SQLite file without our schema', async () => {
    const target = freshDir();
    const url = `sqlite:${join(target, 'slipway.db')}`;
    const junk = join(root, `junk-${++seq}.db`);
    writeFileSync(junk, 'this is not a database, just text '.repeat(200));
    await assert.rejects(restoreDatabase(url, junk, target), /not a SQLite database/);

    const other = join(root, `other-${++seq}.db`);
    const sqlite = new SQLite(other);
    sqlite.exec('CREATE TABLE runs (id TEXT)');
    sqlite.close();
    await assert.rejects(restoreDatabase(url, other, target), /not a Slipway backup.*kysely_migration/);
    assert.deepEqual(readdirSync(target), [], 'nothing was left in the data dir');
    assert.deepEqual(
      readdirSync(root).filter((f) => f.startsWith(`other-${seq}.db-`)),
      [],
      'nothing was created beside the backup',
    );
  });

  it('refuses to restore while a live server holds the lock', async () => {
    const source = await seededDatabase();
    const file = join(root, `backup-${++seq}.db`);
    await backupDatabase(source.url, file);
    await source.db.destroy();

    const release = acquireServerLock(source.dataDir);
    try {
      assert.equal(serverRunning(source.dataDir), process.pid);
      await assert.rejects(
        restoreDatabase(source.url, file, source.dataDir),
        /server \(pid \d+\) is running/,
      );
    } finally {
      release();
    }
    assert.equal(serverRunning(source.dataDir), null);
    await restoreDatabase(source.url, file, source.dataDir);
  });

  it('rejects non-sqlite URLs with a pointer to pg_dump', async () => {
    await assert.rejects(
      backupDatabase('postgres://localhost/slipway', join(root, 'x.db')),
      /backup\/restore work on SQLite only; this server uses PostgreSQL: back it up with pg_dump/,
    );
    await assert.rejects(
      restoreDatabase('postgres://localhost/slipway', join(root, 'x.db')),
      /restore with pg_restore/,
    );
  });
});

describe('server lock', () => {
  it('refuses a second live holder and takes over a stale file', () => {
    const dir = freshDir();
    const release = acquireServerLock(dir);
    assert.throws(() => acquireServerLock(dir), /another Slipway server \(pid \d+\)/);
    release();
    assert.equal(existsSync(serverLockPath(dir)), false);

    writeFileSync(serverLockPath(dir), '2147483646\n'); // no such process
    assert.equal(serverRunning(dir), null);
    const again = acquireServerLock(dir);
    assert.equal(serverRunning(dir), process.pid);
    again();
  });
});

describe('slipway backup / restore', () => {
  it('prints one line each and turns refusals into usage errors', async () => {
    const { dataDir, db } = await seededDatabase(2);
    await db.destroy();
    const io = ioIn(root, { SLIPWAY_DATA_DIR: dataDir });
    const name = `cli-${++seq}.db`;
    assert.equal(await backupCommand([name], io), 0);
    assert.match(
      io.out.join(''),
      new RegExp(`^backed up .*slipway\\.db to .*${name} \\(\\d+(\\.\\d)? KiB\\)\\n$`),
    );
    await assert.rejects(
      backupCommand([name], io),
      (e: Error) => e instanceof UsageError && /already exists/.test(e.message),
    );
    await assert.rejects(backupCommand([], io), UsageError);
    await assert.rejects(restoreCommand(['a', 'b'], io), UsageError);

    const fresh = freshDir();
    const io2 = ioIn(root, { SLIPWAY_DATA_DIR: fresh });
    assert.equal(await restoreCommand([name], io2), 0);
    assert.match(io2.out.join(''), /^restored .*slipway\.db from .*\n$/);
    await assert.rejects(
      backupCommand([name], ioIn(root, { SLIPWAY_DATABASE_URL: 'postgres://db/slipway' })),
      (e: Error) => e instanceof UsageError && /pg_dump/.test(e.message),
    );
  });
});
