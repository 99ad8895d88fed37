import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import { type Kysely, sql } from 'kysely';
import { migrateToLatest } from '../../src/server/store/migrate.js';
import { openDatabase } from '../../src/server/store/open-database.js';
import { runMigrations } from '../../src/server/store/run-migrations.js';
import { PauseAfterQueries } from './support/pause-after-queries.js';

const CHILD = fileURLToPath(new URL('./support/migrate-child.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'slipway-migrations-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Everything that makes up the schema (tables, indexes, their SQL) and the recorded migrations. */
function schemaOf(file: string): { objects: unknown[]; applied: string[]; integrity: unknown } {
  const db = new SQLite(file, { readonly: true, fileMustExist: true });
  try {
    return {
      objects: db
        .prepare(
          "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .all(),
      applied: (
        db.prepare('SELECT name FROM kysely_migration ORDER BY name').all() as { name: string }[]
      ).map((r) => r.name),
      integrity: db.pragma('integrity_check', { simple: true }),
    };
  } finally {
    db.close();
  }
}

/** A fresh file migrated in this process; also how many statements a first migration runs. */
async function cleanDatabase(name: string): Promise<{ file: string; statements: number }> {
  const file = join(root, name);
  const db = openDatabase(`sqlite:${file}`);
  const counter = new PauseAfterQueries(0);
  try {
    await migrateToLatest(db.withPlugin(counter) as never);
  } finally {
    await db.destroy();
  }
  return { file, statements: counter.count };
}

/** Runs migrate-child.ts on `file`; resolves with what it said first ("paused" or "done"), then kills it. */
function migrateInChild(file: string, pauseAfter: number): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, file, String(pauseAfter)], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let said: string | null = null;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      const line = out.split('\n')[0];
      if (said === null && out.includes('\n')) {
        said = line ?? '';
        // kill -9: no exit handlers, no rollback, no close — as a power cut or OOM kill would.
        child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (said !== null) resolve(said);
      else reject(new Error(`migrate-child exited (${code ?? signal}) without a word`));
    });
  });
}

describe('migrations', () => {
  it('a first start SIGKILLed after any statement leaves a database the next start completes', async () => {
    const clean = await cleanDatabase('clean.db');
    const expected = schemaOf(clean.file);
    assert.ok(clean.statements > 20, `a first migration runs many statements (${clean.statements})`);
    // Kill points spread over the whole run (each migration's middle and its bookkeeping), plus
    // the first few statements of the first migration.
    const points = new Set([1, 2, 3, 4]);
    for (let i = 1; i < 12; i++) points.add(Math.max(1, Math.round((clean.statements * i) / 12)));
    points.add(clean.statements - 1);
    // Four children at a time: each is a separate file, so they do not interfere.
    const queue = [...points].sort((a, b) => a - b);
    const killThenStart = async (n: number) => {
      const file = join(root, `killed-after-${n}.db`);
      assert.equal(await migrateInChild(file, n), 'paused', `the child reached statement ${n}`);
      const db = openDatabase(`sqlite:${file}`);
      try {
        await migrateToLatest(db as never);
      } catch (error) {
        assert.fail(`killed after statement ${n}, the next start failed: ${(error as Error).message}`);
      } finally {
        await db.destroy();
      }
      assert.deepEqual(schemaOf(file), expected, `killed after statement ${n}: the schema is complete`);
    };
    await Promise.all(
      [0, 1, 2, 3].map(async () => {
        for (let n = queue.shift(); n !== undefined; n = queue.shift()) await killThenStart(n);
      }),
    );
  });

  it('two processes starting on one fresh file at once both succeed, each migration applied once', async () => {
    const file = join(root, 'raced.db');
    const said = await Promise.all([migrateInChild(file, 0), migrateInChild(file, 0)]);
    assert.deepEqual(said, ['done', 'done']);
    const clean = await cleanDatabase('clean-for-race.db');
    assert.deepEqual(schemaOf(file), schemaOf(clean.file));
  });

  it('migrating a current database again applies nothing and changes nothing', async () => {
    const { file } = await cleanDatabase('current.db');
    const before = schemaOf(file);
    const db = openDatabase(`sqlite:${file}`);
    try {
      assert.deepEqual(await migrateToLatest(db as never), []);
      assert.deepEqual(await migrateToLatest(db as never), []);
    } finally {
      await db.destroy();
    }
    assert.deepEqual(schemaOf(file), before);
  });

  it('refuses a database migrated by a newer version, changing nothing', async () => {
    const { file } = await cleanDatabase('newer.db');
    const sqlite = new SQLite(file);
    sqlite
      .prepare('INSERT INTO kysely_migration (name, timestamp) VALUES (?, ?)')
      .run('999_from_the_future', 'x');
    sqlite.close();
    const before = schemaOf(file);
    const db = openDatabase(`sqlite:${file}`);
    try {
      await assert.rejects(
        migrateToLatest(db as never),
        /migrated by a newer Slipway \(migration 999_from_the_future/,
      );
    } finally {
      await db.destroy();
    }
    assert.deepEqual(schemaOf(file), before);
  });

  it('a migration that fails half-way leaves none of its changes; the ones before it stay', async () => {
    const file = join(root, 'halfway.db');
    const db = openDatabase(`sqlite:${file}`);
    const migrations = {
      '001_first': {
        up: async (d: Kysely<unknown>) => void (await sql`CREATE TABLE first (id int)`.execute(d)),
      },
      '002_breaks': {
        up: async (d: Kysely<unknown>) => {
          await sql`CREATE TABLE half (id int)`.execute(d);
          await sql`SELECT no_such_function()`.execute(d);
        },
      },
    };
    try {
      await assert.rejects(runMigrations(db as never, migrations), /no_such_function/);
    } finally {
      await db.destroy();
    }
    const after = schemaOf(file);
    assert.deepEqual(
      after.objects.map((o) => (o as { name: string }).name),
      ['first', 'kysely_migration'],
    );
    assert.deepEqual(after.applied, ['001_first']);
  });
});
