/**
 * The one "which release serves this environment" rule (src/server/deploys/serving-release.ts),
 * on SQLite and PostgreSQL: now, at a moment, the impact baseline and the collect cache agree —
 * failed releases never serve, the release that finished last serves whatever its number, ties
 * go to the higher number — and the cache re-reads after a release event on the delivery bus.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  previousServingRelease,
  ServingReleaseCache,
  servingReleaseAt,
  servingReleaseNow,
} from '../../src/server/deploys/serving-release.js';
import { createSite, type Fixture } from '../collect/collect-support.js';
import { type PostgresCluster, startPostgres } from '../support/postgres.js';
import { releaseRow } from '../support/rows.js';
import { startTestServer, type TestServer } from '../support/server.js';

let cluster: PostgresCluster | null = null;
before(async () => {
  cluster = await startPostgres();
});
after(async () => {
  await cluster?.stop();
});

async function insert(
  t: TestServer,
  f: Fixture,
  number: number,
  status: 'succeeded' | 'failed',
  startedAt: number,
  finishedAt: number,
): Promise<string> {
  const id = randomUUID();
  await t.server.ctx.db
    .insertInto('releases')
    .values(
      releaseRow({
        id,
        application_id: f.applicationId,
        environment_id: f.environments.production as string,
        number,
        status,
        created_at: startedAt,
        started_at: startedAt,
        finished_at: finishedAt,
      }),
    )
    .execute();
  return id;
}

for (const store of ['sqlite', 'postgres'] as const) {
  describe(`serving release on ${store}`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(
        store === 'postgres' && cluster
          ? { SLIPWAY_DATABASE_URL: await cluster.createDatabase('serving') }
          : {},
      );
    });
    after(() => t?.close());

    test('now, at a moment, the baseline and the cache give the same release', async () => {
      const f = await createSite(t, [{ origin: 'https://app.example.com', environment: 'production' }]);
      const env = f.environments.production as string;
      const { db } = t.server.ctx;
      const cache = new ServingReleaseCache(db);
      assert.equal(await servingReleaseNow(db, env), null);
      assert.equal(await cache.at(env, 10_000), null);

      const r1 = await insert(t, f, 1, 'succeeded', 900, 1_000);
      await insert(t, f, 2, 'failed', 1_500, 2_000);
      // #4 finished before #3 (two rollouts overlapping): #3, finished last, serves after it.
      const r3 = await insert(t, f, 3, 'succeeded', 2_500, 4_000);
      const r4 = await insert(t, f, 4, 'succeeded', 2_600, 3_000);
      // #5 finished at the same millisecond as #3: the higher number wins the tie.
      const r5 = await insert(t, f, 5, 'succeeded', 3_900, 4_000);

      const expected: [number, string | null][] = [
        [500, null],
        [1_000, r1],
        [2_500, r1],
        [3_500, r4],
        [4_000, r5],
        [99_000, r5],
      ];
      const fresh = new ServingReleaseCache(db);
      for (const [at, id] of expected) {
        assert.equal((await servingReleaseAt(db, env, at))?.id ?? null, id, `at ${at}`);
        assert.equal(await fresh.at(env, at), id, `cache at ${at}`);
      }
      assert.equal((await servingReleaseNow(db, env))?.id, r5);
      const five = await db.selectFrom('releases').selectAll().where('id', '=', r5).executeTakeFirstOrThrow();
      assert.equal((await previousServingRelease(db, five))?.id, r4);
      const three = await db
        .selectFrom('releases')
        .selectAll()
        .where('id', '=', r3)
        .executeTakeFirstOrThrow();
      assert.equal((await previousServingRelease(db, three))?.id, r1);

      // The first cache read its list before any release: it keeps it until a release event.
      assert.equal(await cache.at(env, 99_000), null);
      const stop = cache.follow(t.server.ctx.deliveries);
      try {
        await t.server.ctx.deliveries.transact(db, t.server.ctx.now, async (_trx, record) => {
          record({
            type: 'release.succeeded',
            projectId: 'p',
            runId: null,
            releaseId: r5,
            data: {
              number: 5,
              applicationId: f.applicationId,
              environmentId: env,
              image: 'web:5',
              trigger: 'manual',
              reason: null,
            },
          });
        });
        const deadline = Date.now() + 10_000;
        while ((await cache.at(env, 99_000)) !== r5 && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 20));
        assert.equal(await cache.at(env, 99_000), r5);
      } finally {
        stop();
      }
    });
  });
}
