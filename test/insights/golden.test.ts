/**
 * Golden insights: the seeded history of golden-history.ts (trunk-based pushes, an approval
 * wait, a rollback by hand, a squash merge, a hotfix, an automatic rollback, a redeploy of the
 * same digest, an environment with no releases) computed through the release-events path and
 * the queries, on SQLite and on PostgreSQL, against numbers worked out by hand.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import { catchUpInsights } from '../../src/server/insights/insights-follow-up.js';
import { insightsOf } from '../../src/server/insights/insights-queries.js';
import { migrateToLatest } from '../../src/server/store/migrate.js';
import { openDatabase } from '../../src/server/store/open-database.js';
import type { Database } from '../../src/server/store/tables.js';
import { type PostgresCluster, startPostgres } from '../support/postgres.js';
import { type GoldenHistory, HOUR, MIN, seedGoldenHistory, T0 } from './golden-history.js';

const WEEK = 7 * 24 * HOUR;

function goldenSuite(name: string, open: () => Promise<Kysely<Database>>) {
  describe(`golden insights on ${name}`, () => {
    let db: Kysely<Database>;
    let history: GoldenHistory;
    before(async () => {
      db = await open();
      await migrateToLatest(db as never);
      history = await seedGoldenHistory(db);
    });
    after(async () => {
      await db.destroy();
    });
    const scope = (extra: { environment?: string } = {}) => ({
      projects: [history.projectName],
      from: T0,
      to: T0 + WEEK,
      hotfixWindowMs: 7 * 24 * HOUR,
      ...extra,
    });

    test('production: the four keys, rework rate and bands', async () => {
      const { summary: s } = await insightsOf(db, scope());
      assert.deepEqual(
        s.scope.environments.map((e) => e.name),
        ['production'],
      );
      assert.deepEqual(s.deploymentFrequency, { deployments: 8, perWeek: 8, band: 'elite' });
      assert.deepEqual(s.leadTime, {
        changes: 7,
        medianMs: 125 * MIN,
        p90Ms: 212 * MIN,
        fromPushMedianMs: 65 * MIN,
        fromPushP90Ms: 116 * MIN,
        band: 'elite',
      });
      assert.deepEqual(s.changeFailureRate, {
        changeDeployments: 8,
        failures: 3,
        rate: 0.375,
        band: 'medium',
      });
      assert.deepEqual(s.recoveryTime, { recovered: 3, open: 0, medianMs: HOUR, band: 'high' });
      assert.deepEqual(s.reworkRate, { deployments: 9, unplanned: 3, rate: 0.3333 });
      assert.equal(s.band, 'medium');
      assert.equal(s.weeks.length, 1);
      assert.equal(s.weeks[0]?.week, T0);
      assert.equal(s.weeks[0]?.deployments, 8);
    });

    test('each failure links to its evidence; unplanned releases say why', async () => {
      const { releases } = await insightsOf(db, scope());
      const byNumber = new Map(releases.map((r) => [r.number, r]));
      assert.deepEqual(byNumber.get(4)?.failure, {
        kind: 'rolled_back_by_hand',
        evidenceRelease: 5,
        reason: null,
      });
      assert.equal(byNumber.get(4)?.recoveredBy, 5);
      assert.deepEqual(byNumber.get(8)?.failure, { kind: 'hotfix', evidenceRelease: 9, reason: null });
      assert.equal(byNumber.get(8)?.recoveryMs, 2 * HOUR);
      assert.equal(byNumber.get(10)?.failure?.kind, 'auto_rollback');
      assert.match(byNumber.get(10)?.failure?.reason ?? '', /unhealthy/);
      assert.equal(byNumber.get(5)?.rework, 'rollback');
      assert.equal(byNumber.get(9)?.rework, 'hotfix');
      assert.equal(byNumber.get(11)?.rework, 'redeploy');
      assert.equal(byNumber.get(1)?.failure, null);
      assert.equal(byNumber.get(1)?.commits, 2);
    });

    test('lead time counts the commits each release shipped first (squash merge, hotfix branch, rollback)', async () => {
      const { changes } = await insightsOf(db, scope(), { withCommits: true });
      const first = new Map(changes.map((c) => [c.sha, c.releaseNumber]));
      const { sha } = history;
      assert.deepEqual(
        Object.fromEntries(
          ['c1', 'c2', 'c3', 'c4', 's1', 'c5', 'h1'].map((n) => [n, first.get(sha[n] as string)]),
        ),
        { c1: 1, c2: 1, c3: 3, c4: 4, s1: 7, c5: 8, h1: 9 },
      );
      // The squashed feature commits never reached production; c6 was only in a rolled-back release.
      for (const n of ['f1', 'f2', 'c6']) assert.equal(first.has(sha[n] as string), false, n);
      assert.equal(changes.length, 7);
    });

    test('where lead time goes: segments add up to the lead time; the approval wait is visible', async () => {
      const { changes, summary } = await insightsOf(db, scope(), { withCommits: true });
      for (const c of changes) {
        const sum = Object.values(c.segments).reduce((a, b) => a + b, 0);
        assert.equal(sum, c.leadTimeMs, c.sha);
      }
      const c3 = changes.find((c) => c.sha === history.sha.c3);
      assert.deepEqual(Object.fromEntries(Object.entries(c3?.segments ?? {}).filter(([, v]) => v > 0)), {
        commit_to_push: 60 * MIN,
        'stage:build': 20 * MIN,
        promotion_wait: 40 * MIN,
        approval_wait: 120 * MIN,
        rollout: 5 * MIN,
      });
      const c1 = changes.find((c) => c.sha === history.sha.c1);
      assert.equal(c1?.segments.queue, 5 * MIN);
      assert.equal(c1?.segments['stage:test'], 10 * MIN);
      assert.ok(summary.segments.includes('stage:build'));
      assert.equal(summary.weeks[0]?.changes, 7);
    });

    test('the catch-up (backfill of history, replay after a crash) recomputes the same answers', async () => {
      const before = await insightsOf(db, scope(), { withCommits: true });
      await db.deleteFrom('release_commits').execute();
      await db.deleteFrom('release_facts').execute();
      const deps = { db, gitDir: () => history.gitDir, log: { warn() {}, info() {} } };
      assert.equal(await catchUpInsights(deps), 11);
      assert.deepEqual(await insightsOf(db, scope(), { withCommits: true }), before);
      // Nothing left to do: the facts table is the cursor.
      assert.equal(await catchUpInsights(deps), 0);
    });

    test('a non-production environment on request, and one with no releases', async () => {
      const staging = (await insightsOf(db, scope({ environment: 'staging' }))).summary;
      assert.equal(staging.deploymentFrequency.deployments, 1);
      assert.deepEqual(staging.changeFailureRate, {
        changeDeployments: 2,
        failures: 1,
        rate: 0.5,
        band: 'low',
      });
      const preview = (await insightsOf(db, scope({ environment: 'preview' }))).summary;
      assert.deepEqual(preview.deploymentFrequency, { deployments: 0, perWeek: 0, band: null });
      assert.deepEqual(preview.leadTime, {
        changes: 0,
        medianMs: null,
        p90Ms: null,
        fromPushMedianMs: null,
        fromPushP90Ms: null,
        band: null,
      });
      assert.equal(preview.changeFailureRate.rate, null);
      assert.equal(preview.recoveryTime.medianMs, null);
      assert.equal(preview.band, null);
    });
  });
}

goldenSuite(
  'SQLite',
  async () =>
    openDatabase(
      `sqlite://${join(mkdtempSync(join(tmpdir(), 'slipway-insights-')), 'slipway.db')}`,
    ) as Kysely<Database>,
);

let cluster: PostgresCluster | null = null;
goldenSuite('PostgreSQL', async () => {
  cluster = await startPostgres();
  return openDatabase(await cluster.createDatabase('insights')) as Kysely<Database>;
});
after(async () => {
  await cluster?.stop();
});
