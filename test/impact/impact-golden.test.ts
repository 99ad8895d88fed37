/**
 * Golden release impact: the scenarios of impact-scenarios.ts (a healthy release, a faster one,
 * one answering 500 on 20 % of requests, a quiet one, a rolled-back canary) judged through the
 * card and timeline code on SQLite and on PostgreSQL, against numbers worked out by hand.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import { impactCard } from '../../src/server/impact/impact-card.js';
import { ImpactCardCache } from '../../src/server/impact/impact-card-cache.js';
import { impactTimeline } from '../../src/server/impact/impact-timeline.js';
import { migrateToLatest } from '../../src/server/store/migrate.js';
import { openDatabase } from '../../src/server/store/open-database.js';
import type { Database } from '../../src/server/store/tables.js';
import { type PostgresCluster, startPostgres } from '../support/postgres.js';
import { type ImpactScenario, MIN, seedImpactScenarios } from './impact-scenarios.js';

const T0 = Date.UTC(2026, 10, 2, 8, 0);

function goldenSuite(name: string, open: () => Promise<Kysely<Database>>) {
  describe(`golden release impact on ${name}`, () => {
    let db: Kysely<Database>;
    let scenario: ImpactScenario;
    before(async () => {
      db = await open();
      await migrateToLatest(db as never);
      scenario = await seedImpactScenarios(db, T0);
    });
    after(async () => {
      await db.destroy();
    });

    const card = async (
      number: number,
      now = T0 + 400 * MIN,
      request: { window?: string; minRequests?: number } = {},
      cache?: ImpactCardCache,
    ) => {
      const release = await db
        .selectFrom('releases')
        .selectAll()
        .where('id', '=', scenario.releaseIds[number] as string)
        .executeTakeFirstOrThrow();
      const environment = await db
        .selectFrom('environments')
        .selectAll()
        .where('id', '=', release.environment_id)
        .executeTakeFirstOrThrow();
      return impactCard(db, { release, environment, request, now }, cache);
    };

    test('a healthy release is "no change": same error rate and latency as the one before', async () => {
      const c = await card(2);
      assert.equal(c.verdict, 'no_change');
      assert.equal(c.phase, 'final');
      assert.deepEqual(c.settings.source, { window: 'environment', minRequests: 'environment' });
      assert.deepEqual(c.before, {
        release: 1,
        from: T0 + 30 * MIN,
        to: T0 + 60 * MIN,
        requests: 3000,
        errors: 30,
        status4xx: 30,
        minutes: 30,
        errorRate: 0.01,
        p50: 35,
        p95: 75,
        p99: 95,
      });
      assert.equal(c.after.release, 2);
      assert.equal(c.after.from, T0 + 62 * MIN);
      assert.equal(c.after.to, T0 + 92 * MIN);
      assert.equal(c.after.requests, 3000);
      assert.equal(c.after.errors, 33, '30 answers 5xx and 3 the proxy gave itself');
      assert.equal(c.after.errorRate, 0.011);
      assert.equal(c.tests.errorRate.test, 'two_proportion_z');
      assert.equal(c.tests.errorRate.change, 'no_change');
      assert.ok(c.tests.errorRate.pValue > 0.5, `p = ${c.tests.errorRate.pValue}`);
      assert.deepEqual(c.tests.latency, { test: 'mann_whitney_u', z: 0, pValue: 1, change: 'no_change' });
      assert.equal(c.canary, null);
    });

    test('a faster release is "better" by the rank test on latency', async () => {
      const c = await card(3);
      assert.equal(c.verdict, 'better');
      assert.equal(c.before.release, 2);
      assert.equal(c.before.errors, 33);
      assert.equal(c.before.p95, 75);
      assert.equal(c.after.p95, 15);
      assert.equal(c.tests.latency.change, 'better');
      assert.ok(c.tests.latency.z < -40, `z = ${c.tests.latency.z}`);
      assert.equal(c.tests.latency.pValue, 0);
      assert.equal(c.tests.errorRate.change, 'no_change');
    });

    test('a release answering 500 on 20 % of requests is "worse"; client errors and feedback are counted', async () => {
      const c = await card(4);
      assert.equal(c.verdict, 'worse');
      assert.equal(c.before.release, 3);
      assert.equal(c.before.errorRate, 0.01);
      assert.equal(c.after.requests, 3000);
      assert.equal(c.after.errors, 600);
      assert.equal(c.after.errorRate, 0.2);
      assert.equal(c.tests.errorRate.change, 'worse');
      assert.ok(c.tests.errorRate.z > 20, `z = ${c.tests.errorRate.z}`);
      assert.equal(c.tests.latency.change, 'no_change');
      // Errors at 185, 190 and 200 min are in the after-window [182, 212); the one at 250 is not.
      assert.deepEqual(c.clientErrors, { before: 0, after: 3, total: 4 });
      assert.deepEqual(c.feedback, { count: 3, averageRating: 1.5 });
    });

    test('a release with fewer requests than the minimum is "not enough data"', async () => {
      const c = await card(5);
      assert.equal(c.verdict, 'not_enough_data');
      assert.equal(c.after.requests, 60);
      assert.equal(c.before.requests, 3000);
      // Asked with a lower minimum, the same traffic is enough for a verdict.
      const lower = await card(5, T0 + 400 * MIN, { minRequests: 50 });
      assert.equal(lower.settings.minRequests, 50);
      assert.equal(lower.settings.source.minRequests, 'request');
      assert.notEqual(lower.verdict, 'not_enough_data');
    });

    test('the window comes from the request over the environment; an open window is "collecting"', async () => {
      const c = await card(4, T0 + 400 * MIN, { window: '10m' });
      assert.equal(c.settings.windowMs, 10 * MIN);
      assert.equal(c.settings.source.window, 'request');
      assert.equal(c.before.requests, 1000);
      assert.equal(c.after.requests, 1000);
      assert.equal(c.verdict, 'worse');
      const open = await card(5, T0 + 250 * MIN);
      assert.equal(open.phase, 'collecting');
      // Whatever is stored counts; the phase tells the reader more may come.
      assert.equal(open.after.requests, 60);
      assert.equal(open.verdict, 'not_enough_data');
    });

    test('a canary is compared with stable in the same minutes; the first release has no baseline', async () => {
      const c = await card(7);
      assert.equal(c.phase, 'not_live');
      assert.equal(c.verdict, 'not_enough_data');
      assert.ok(c.canary);
      assert.equal(c.canary.from, T0 + 60 * MIN);
      assert.equal(c.canary.to, T0 + 70 * MIN);
      assert.equal(c.canary.canary.requests, 100);
      assert.equal(c.canary.canary.errors, 20);
      assert.equal(c.canary.stable.requests, 900);
      assert.equal(c.canary.stable.errors, 10);
      assert.equal(c.canary.verdict, 'worse');
      assert.equal(c.canary.tests.errorRate.change, 'worse');
      const first = await card(6);
      assert.equal(first.before.release, null);
      assert.equal(first.before.requests, 0);
      assert.equal(first.verdict, 'not_enough_data');
      assert.equal(first.canary, null);
    });

    test('closed cards are cached; feedback stays live', async () => {
      const cache = new ImpactCardCache();
      const a = await card(4, T0 + 400 * MIN, {}, cache);
      assert.equal(cache.size, 1);
      await db
        .insertInto('traffic_minutes')
        .values({
          environment_id: (
            await db
              .selectFrom('releases')
              .select('environment_id')
              .where('id', '=', scenario.releaseIds[4] as string)
              .executeTakeFirstOrThrow()
          ).environment_id,
          release_id: scenario.releaseIds[4] as string,
          role: 'canary',
          minute: T0 + 500 * MIN,
          requests: 1,
        })
        .execute();
      const b = await card(4, T0 + 400 * MIN, {}, cache);
      assert.deepEqual(b.after, a.after);
      // An open window is never cached.
      await card(5, T0 + 250 * MIN, {}, cache);
      assert.equal(cache.size, 1);
    });

    test('timeline: per-step traffic of the environment and the releases as markers with verdicts', async () => {
      const environment = await db
        .selectFrom('environments')
        .selectAll()
        .where('name', '=', 'production')
        .executeTakeFirstOrThrow();
      const tl = await impactTimeline(db, {
        environment,
        from: T0,
        to: T0 + 300 * MIN,
        stepMs: 60 * MIN,
        now: T0 + 400 * MIN,
        request: {},
      });
      assert.equal(tl.environment, 'production');
      assert.deepEqual(
        tl.points.map((p) => [p.t - T0, p.requests, p.errors]),
        [
          [0, 6000, 60],
          [60 * MIN, 6000, 65],
          [120 * MIN, 6000, 61],
          [180 * MIN, 6000, 1162],
          [240 * MIN, 316, 40],
        ],
      );
      assert.equal(tl.points[0]?.p95, 75);
      assert.equal(tl.points[2]?.p95 !== null && (tl.points[2]?.p95 as number) < 75, true);
      assert.deepEqual(
        tl.markers.map((m) => [m.number, m.at - T0, m.verdict]),
        [
          [1, 0, 'not_enough_data'],
          [2, 62 * MIN, 'no_change'],
          [3, 122 * MIN, 'better'],
          [4, 182 * MIN, 'worse'],
          [5, 242 * MIN, 'not_enough_data'],
        ],
      );
    });
  });
}

goldenSuite(
  'SQLite',
  async () =>
    openDatabase(
      `sqlite://${join(mkdtempSync(join(tmpdir(), 'slipway-impact-')), 'slipway.db')}`,
    ) as Kysely<Database>,
);

let cluster: PostgresCluster | null = null;
goldenSuite('PostgreSQL', async () => {
  cluster = await startPostgres();
  return openDatabase(await cluster.createDatabase('impact')) as Kysely<Database>;
});
after(async () => {
  await cluster?.stop();
});
