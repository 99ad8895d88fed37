/**
 * Migrations and database health on PostgreSQL (a throwaway cluster): concurrent starts, a
 * failing migration undone whole, and a database that turns read-only under a running server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Kysely, sql } from 'kysely';
import { migrateToLatest } from '../../src/server/store/migrate.js';
import { openDatabase } from '../../src/server/store/open-database.js';
import { runMigrations } from '../../src/server/store/run-migrations.js';
import { type PostgresCluster, startPostgres } from '../support/postgres.js';
import { startTestServer } from '../support/server.js';

async function tables(db: Kysely<never>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = 'public' ORDER BY table_name`.execute(db);
  return rows.map((r) => r.name);
}

describe('PostgreSQL: migrations and database health', { concurrency: false }, () => {
  let cluster: PostgresCluster;
  before(async () => {
    cluster = await startPostgres();
  });
  after(async () => {
    await cluster?.stop();
  });

  test('two servers starting at once on a fresh database apply each migration once', async () => {
    const url = await cluster.createDatabase('race');
    const [a, b] = [openDatabase(url), openDatabase(url)];
    try {
      const [ranA, ranB] = await Promise.all([migrateToLatest(a as never), migrateToLatest(b as never)]);
      const all = [...ranA, ...ranB].sort();
      assert.equal(new Set(all).size, all.length, 'no migration ran twice');
      const { rows } = await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(
        a,
      );
      assert.deepEqual(
        rows.map((r) => r.name),
        all,
      );
      assert.deepEqual(await migrateToLatest(a as never), []);
    } finally {
      await Promise.all([a.destroy(), b.destroy()]);
    }
  });

  test('a migration that fails half-way leaves none of its changes; the ones before it stay', async () => {
    const db = openDatabase(await cluster.createDatabase('halfway')) as unknown as Kysely<never>;
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
      assert.deepEqual(await tables(db), ['first', 'kysely_migration']);
      const { rows } = await sql<{ name: string }>`SELECT name FROM kysely_migration`.execute(db);
      assert.deepEqual(
        rows.map((r) => r.name),
        ['001_first'],
      );
    } finally {
      await db.destroy();
    }
  });

  test('a connection cut in the middle of a transaction fails that transaction, not the process', async () => {
    const url = await cluster.createDatabase('cut');
    const db = openDatabase(url) as unknown as Kysely<never>;
    const admin = openDatabase(url.replace(/\/[^/]+$/, '/postgres')) as unknown as Kysely<never>;
    // An 'error' nobody listens for would end this process: fail the test instead, clearly.
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.prependListener('uncaughtException', onUncaught);
    try {
      const outcome = await db
        .transaction()
        .execute(async (trx) => {
          const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(trx);
          // Between two queries the client is checked out and idle: the failover case.
          await sql`SELECT pg_terminate_backend(${rows[0]?.pid})`.execute(admin);
          await new Promise((r) => setTimeout(r, 300));
          await sql`SELECT 1`.execute(trx);
          return 'committed';
        })
        .catch((error: unknown) => (error as { code?: string }).code ?? String(error));
      assert.notEqual(outcome, 'committed');
      assert.deepEqual(uncaught, []);
      // The pool dropped the broken client: the next query connects afresh.
      const { rows } = await sql<{ one: number }>`SELECT 1 AS one`.execute(db);
      assert.equal(rows[0]?.one, 1);
    } finally {
      process.removeListener('uncaughtException', onUncaught);
      await db.destroy();
      await admin.destroy();
    }
  });

  test('a database turned read-only: /healthz names the write check and writes answer 503; both recover', async () => {
    const url = await cluster.createDatabase('readonly');
    const name = new URL(url).pathname.slice(1);
    const t = await startTestServer({ SLIPWAY_DATABASE_URL: url });
    const admin = openDatabase(url.replace(/\/[^/]+$/, '/postgres')) as unknown as Kysely<never>;
    // As a failover to a standby does: new sessions are read-only, the old ones are cut.
    const setReadOnly = async (on: boolean) => {
      await sql
        .raw(`ALTER DATABASE ${name} SET default_transaction_read_only = ${on ? 'on' : 'off'}`)
        .execute(admin);
      await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ${name}`.execute(
        admin,
      );
    };
    /** /healthz until its checks are `checks` (bounded: ~10 s); the last report. */
    const healthUntil = async (checks: object) => {
      let report: { checks?: object; error?: { code: string; message: string } } = {};
      let status = 0;
      for (let attempt = 0; attempt < 100; attempt++) {
        const res = await fetch(`${t.url}/healthz`);
        status = res.status;
        report = (await res.json()) as typeof report;
        if (JSON.stringify(report.checks) === JSON.stringify(checks)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      return { status, report };
    };
    try {
      await setReadOnly(true);
      const down = await healthUntil({ database_read: 'ok', database_write: 'failed' });
      assert.equal(down.status, 503, JSON.stringify(down.report));
      assert.equal(down.report.error?.code, 'database_unavailable');
      assert.match(down.report.error?.message ?? '', /read-only: 25006/);
      const refused = await t.api('/api/projects', {
        method: 'POST',
        body: JSON.stringify({ name: 'ro', source: { kind: 'builtin' } }),
      });
      const body = (await refused.json()) as { error: { code: string } };
      assert.equal(refused.status, 503, JSON.stringify(body));
      assert.equal(body.error.code, 'database_unavailable');

      await setReadOnly(false);
      const up = await healthUntil({ database_read: 'ok', database_write: 'ok' });
      assert.equal(up.status, 200, JSON.stringify(up.report));
    } finally {
      await t.close();
      await admin.destroy();
    }
  });
});
