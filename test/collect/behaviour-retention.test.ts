/**
 * Behaviour retention on SQLite and PostgreSQL, through the server's real retention job:
 * events older than SLIPWAY_BEHAVIOUR_RETENTION_DAYS go, newer ones (including one collected
 * through the public endpoint) stay, and feedback messages stay whatever their age — they are
 * what users wrote to the team. The default is 90 days.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sweepTrafficEvery } from '../../src/server/traffic/traffic-sweeper.js';
import { type PostgresCluster, startPostgres } from '../support/postgres.js';
import { startTestServer, type TestServer, testServerConfig } from '../support/server.js';
import { collect, createSite, until } from './collect-support.js';

const DAY = 86_400_000;
const PAGE = 'https://app.example.com';
let cluster: PostgresCluster | null = null;

before(async () => {
  cluster = await startPostgres();
});
after(async () => {
  await cluster?.stop();
});

test('SLIPWAY_BEHAVIOUR_RETENTION_DAYS: 90 by default, a clear error when not a day count', () => {
  assert.equal(testServerConfig('/tmp/unused').behaviourRetentionDays, 90);
  assert.equal(
    testServerConfig('/tmp/unused', { SLIPWAY_BEHAVIOUR_RETENTION_DAYS: '14' }).behaviourRetentionDays,
    14,
  );
  assert.throws(
    () => testServerConfig('/tmp/unused', { SLIPWAY_BEHAVIOUR_RETENTION_DAYS: '0' }),
    /SLIPWAY_BEHAVIOUR_RETENTION_DAYS/,
  );
});

for (const store of ['sqlite', 'postgres'] as const) {
  describe(`behaviour retention on ${store}`, () => {
    let t: TestServer;
    before(async () => {
      const env: Record<string, string> = { SLIPWAY_BEHAVIOUR_RETENTION_DAYS: '7' };
      if (store === 'postgres' && cluster) env.SLIPWAY_DATABASE_URL = await cluster.createDatabase('keep');
      t = await startTestServer(env);
    });
    after(() => t?.close());

    test('the retention job deletes events older than the setting and keeps feedback', async () => {
      const f = await createSite(t, [{ origin: PAGE, environment: 'production' }]);
      const { db, config } = t.server.ctx;
      assert.equal(config.behaviourRetentionDays, 7);
      const now = Date.now();
      const event = (id: string, ageDays: number) => ({
        id,
        application_id: f.applicationId,
        environment_id: f.environments.production ?? null,
        release_id: null,
        kind: 'pageview' as const,
        name: null,
        path: '/old',
        referrer: null,
        visitor: 'v',
        props: null,
        occurred_at: now - ageDays * DAY,
      });
      await db
        .insertInto('behaviour_events')
        .values([event('e-30', 30), event('e-8', 8), event('e-6', 6)])
        .execute();
      await db
        .insertInto('feedback_messages')
        .values({
          id: 'fb-old',
          application_id: f.applicationId,
          environment_id: null,
          release_id: null,
          message: 'the checkout button does nothing',
          rating: 2,
          contact: null,
          page: '/checkout',
          visitor: 'v',
          created_at: now - 400 * DAY,
          resolved_at: null,
        })
        .execute();
      // A fresh event through the public endpoint (written behind, so wait until it is stored).
      assert.equal(
        (await collect(t.url, { site: f.siteKey, url: `${PAGE}/new`, kind: 'pageview' }, { origin: PAGE }))
          .status,
        202,
      );
      const paths = async () =>
        (
          await db
            .selectFrom('behaviour_events')
            .select(['id', 'path'])
            .where('application_id', '=', f.applicationId)
            .orderBy('occurred_at')
            .execute()
        ).map((r) => (r.path === '/new' ? 'new' : r.id));
      await until('the collected event', async () => (await paths()).includes('new'));

      const warnings: unknown[] = [];
      const stop = sweepTrafficEvery({
        db,
        now: () => now,
        retentionDays: config.trafficRetentionDays,
        behaviourRetentionDays: config.behaviourRetentionDays,
        warn: (e) => warnings.push(e),
      });
      try {
        await until('old events deleted', async () => !(await paths()).includes('e-8'));
      } finally {
        stop();
      }
      assert.deepEqual(warnings, []);
      assert.deepEqual(await paths(), ['e-6', 'new']);
      const feedback = await db
        .selectFrom('feedback_messages')
        .select('id')
        .where('application_id', '=', f.applicationId)
        .execute();
      assert.deepEqual(
        feedback.map((r) => r.id),
        ['fb-old'],
      );
    });
  });
}
