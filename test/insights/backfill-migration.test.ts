/**
 * Migration 027 computes the insights of the history an installation had before them: the
 * golden history (golden-history.ts) is inserted as rows of the schema before 027 — releases,
 * runs, jobs, approval events and no facts at all — then the database is migrated. The numbers
 * that need only the database (deployment frequency, change failure rate, recovery, rework) are
 * right straight after the migration; lead times need the repository (git), which the catch-up
 * at server start reads, after which every number equals the hand-computed golden answers. On
 * SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import { catchUpInsights } from '../../src/server/insights/insights-follow-up.js';
import { insightsOf } from '../../src/server/insights/insights-queries.js';
import { MIGRATIONS, migrateToLatest } from '../../src/server/store/migrate.js';
import { openDatabase } from '../../src/server/store/open-database.js';
import { runMigrations } from '../../src/server/store/run-migrations.js';
import type { Database } from '../../src/server/store/tables.js';
import { type PostgresCluster, startPostgres } from '../support/postgres.js';
import { type GoldenHistory, HOUR, MIN, seedGoldenHistory, T0 } from './golden-history.js';

const BACKFILL = '027_backfill_insights';

function backfillSuite(name: string, open: () => Promise<Kysely<Database>>) {
  describe(`migration 027 backfills insights on ${name}`, () => {
    let db: Kysely<Database>;
    let history: GoldenHistory;
    before(async () => {
      db = await open();
      // The schema as it was before this migration, and the history written under it.
      const older = Object.fromEntries(Object.entries(MIGRATIONS).filter(([n]) => n < BACKFILL));
      await runMigrations(db as never, older);
      history = await seedGoldenHistory(db, T0, { record: false });
      assert.equal((await db.selectFrom('release_facts').select('release_id').execute()).length, 0);
    });
    after(async () => {
      await db.destroy();
    });
    const scope = () => ({
      projects: [history.projectName],
      from: T0,
      to: T0 + 7 * 24 * HOUR,
      hotfixWindowMs: 7 * 24 * HOUR,
    });

    test('after migrating, every ended release has facts and the database-only numbers are right', async () => {
      const applied = await migrateToLatest(db as never);
      assert.ok(applied.includes(BACKFILL), `applied: ${applied.join(', ')}`);
      const facts = await db
        .selectFrom('release_facts')
        .select(['number', 'commits'])
        .orderBy('number')
        .execute();
      assert.equal(facts.length, 11);
      // Commits wait for git: pending for successful releases of a commit, none for the rest.
      assert.deepEqual(
        facts.map((f) => [Number(f.number), f.commits]),
        [
          [1, 'pending'],
          [2, 'pending'],
          [3, 'pending'],
          [4, 'pending'],
          [5, 'none'],
          [6, 'none'],
          [7, 'pending'],
          [8, 'pending'],
          [9, 'pending'],
          [10, 'none'],
          [11, 'none'],
        ],
      );
      const { summary: s, releases } = await insightsOf(db, scope());
      assert.deepEqual(s.deploymentFrequency, { deployments: 8, perWeek: 8, band: 'elite' });
      assert.deepEqual(s.changeFailureRate, {
        changeDeployments: 8,
        failures: 3,
        rate: 0.375,
        band: 'medium',
      });
      assert.deepEqual(s.recoveryTime, { recovered: 3, open: 0, medianMs: HOUR, band: 'high' });
      assert.deepEqual(s.reworkRate, { deployments: 9, unplanned: 3, rate: 0.3333 });
      assert.deepEqual(releases.find((r) => r.number === 4)?.failure, {
        kind: 'rolled_back_by_hand',
        evidenceRelease: 5,
        reason: null,
      });
      // The approval wait of release #3 came from its approval event.
      const approved = await db
        .selectFrom('release_facts')
        .select('approved_at')
        .where('number', '=', 3)
        .executeTakeFirstOrThrow();
      assert.equal(Number(approved.approved_at), T0 + 28 * HOUR);
      // Migrating again changes nothing.
      assert.deepEqual(await migrateToLatest(db as never), []);
    });

    test('the first start reads the commits; then lead times equal the golden answers', async () => {
      const deps = { db, gitDir: () => history.gitDir, log: { warn() {}, info() {} } };
      assert.equal(await catchUpInsights(deps), 7);
      const { summary: s, changes } = await insightsOf(db, scope(), { withCommits: true });
      assert.deepEqual(s.leadTime, {
        changes: 7,
        medianMs: 125 * MIN,
        p90Ms: 212 * MIN,
        fromPushMedianMs: 65 * MIN,
        fromPushP90Ms: 116 * MIN,
        band: 'elite',
      });
      assert.equal(s.band, 'medium');
      const shaOf = Object.fromEntries(Object.entries(history.sha).map(([k, v]) => [v, k]));
      assert.deepEqual(changes.map((c) => [shaOf[c.sha], c.releaseNumber]).sort(), [
        ['c1', 1],
        ['c2', 1],
        ['c3', 3],
        ['c4', 4],
        ['c5', 8],
        ['h1', 9],
        ['s1', 7],
      ]);
      // Resumable and idempotent: nothing is left for the next start.
      assert.equal(await catchUpInsights(deps), 0);
    });
  });
}

backfillSuite(
  'SQLite',
  async () =>
    openDatabase(
      `sqlite://${join(mkdtempSync(join(tmpdir(), 'slipway-insights-backfill-')), 'slipway.db')}`,
    ) as Kysely<Database>,
);

let cluster: PostgresCluster | null = null;
backfillSuite('PostgreSQL', async () => {
  cluster = await startPostgres();
  return openDatabase(await cluster.createDatabase('insights_backfill')) as Kysely<Database>;
});
after(async () => {
  await cluster?.stop();
});
