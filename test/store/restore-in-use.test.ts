import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { backupCommand, restoreCommand } from '../../src/cli/backup.js';
import type { CliIO } from '../../src/cli/exec.js';
import { UsageError } from '../../src/cli/usage-error.js';
import { restoreDatabase } from '../../src/server/store/backup.js';
import { sqliteDatabaseInUse } from '../../src/server/store/database-in-use.js';
import { openDatabase } from '../../src/server/store/open-database.js';
import { type SlipwayServerProcess, startSlipwayServer } from '../support/slipway-server.js';

const PASSWORD = 'restore-in-use-password';

function ioIn(cwd: string, env: Record<string, string>): CliIO {
  return { stdout: () => {}, stderr: () => {}, cwd, env, color: false };
}

/**
 * `restore` must see a running server whichever path names its database. The server here is a
 * real `slipway server` process; the restore names the same file through a symlinked directory,
 * a relative path, and with a data directory of its own (so the server's pid file is not there).
 */
describe('restore while a server uses the database through another path', () => {
  let server: SlipwayServerProcess;
  let root: string;
  let live: string;
  let viaLink: string;
  let backup: string;
  before(async () => {
    server = await startSlipwayServer({
      password: PASSWORD,
      env: { SLIPWAY_EMBEDDED_AGENT: 'false' },
      killAfterMs: 120_000,
    });
    root = mkdtempSync(join(tmpdir(), 'slipway-restore-in-use-'));
    live = join(server.dataDir, 'slipway.db');
    symlinkSync(server.dataDir, join(root, 'link'));
    viaLink = join(root, 'link', 'slipway.db');
    mkdirSync(join(root, 'other-data'));
    // An online backup through the symlink works (backup is safe while the server runs).
    backup = join(root, 'backup.db');
    const io = ioIn(root, {
      SLIPWAY_DATA_DIR: join(root, 'other-data'),
      SLIPWAY_DATABASE_URL: `sqlite:${viaLink}`,
    });
    assert.equal(await backupCommand([backup], io), 0);
  });
  after(async () => {
    await server?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('refuses through a symlinked directory, a relative path and another data dir; the server keeps its database', async () => {
    const inode = statSync(live).ino;
    assert.equal(sqliteDatabaseInUse(viaLink), true);

    const io = ioIn(root, {
      SLIPWAY_DATA_DIR: join(root, 'other-data'),
      SLIPWAY_DATABASE_URL: `sqlite:${viaLink}`,
    });
    await assert.rejects(
      restoreCommand([backup], io),
      (e: Error) => e instanceof UsageError && /slipway\.db is open in another process/.test(e.message),
    );
    // Relative URLs are resolved against the process's directory, as the server resolves them.
    const relativeUrl = `sqlite:${relative(process.cwd(), viaLink)}`;
    await assert.rejects(
      restoreDatabase(relativeUrl, backup, join(root, 'other-data')),
      /open in another process/,
    );
    // The destination of a backup is never the live database, whatever path names it.
    const again = ioIn(root, { SLIPWAY_DATA_DIR: server.dataDir });
    await assert.rejects(
      backupCommand([viaLink], again),
      (e: Error) => e instanceof UsageError && /already exists/.test(e.message),
    );

    assert.equal(statSync(live).ino, inode, 'the live database file was not replaced');
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200, await health.text());
    const signIn = await fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: PASSWORD }),
    });
    assert.equal(signIn.status, 200, 'the server still has its own users');
  });

  it('restores through the symlink once the server has stopped', async () => {
    await server.stop();
    // stop() removed the data dir: the restore recreates the database where the link points.
    mkdirSync(server.dataDir, { recursive: true });
    assert.equal(sqliteDatabaseInUse(viaLink), false);
    await restoreDatabase(`sqlite:${viaLink}`, backup, join(root, 'other-data'));
    const db = openDatabase(`sqlite:${live}`);
    try {
      const users = await db.selectFrom('users').select('username').execute();
      assert.deepEqual(
        users.map((u) => u.username),
        ['admin'],
      );
    } finally {
      await db.destroy();
    }
  });
});
