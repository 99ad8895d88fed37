/**
 * On SQLite and PostgreSQL: events are attributed to the release serving their environment at
 * that moment (and a release event on the delivery bus switches the attribution at once), the
 * behaviour report aggregates them per page, referrer, event, error, time bucket and release,
 * and the visitor hash rotates with the UTC day (injected clock) while old salts are deleted.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { VisitorHasher } from '../../src/server/collect/visitor-salts.js';
import { type PostgresCluster, startPostgres } from '../support/postgres.js';
import { releaseRow } from '../support/rows.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { collect, createSite, type Fixture, until } from './collect-support.js';

const PAGE = 'https://app.example.com';
let cluster: PostgresCluster | null = null;

before(async () => {
  cluster = await startPostgres();
});
after(async () => {
  await cluster?.stop();
});

/** A succeeded release of `env`, committed with its event through the delivery bus. */
async function release(t: TestServer, f: Fixture, env: string, number: number): Promise<string> {
  const { db, deliveries, now } = t.server.ctx;
  const id = randomUUID();
  const at = now();
  await deliveries.transact(db, now, async (trx, record) => {
    await trx
      .insertInto('releases')
      .values(
        releaseRow(
          { id, application_id: f.applicationId, environment_id: f.environments[env] as string, number },
          at,
        ),
      )
      .execute();
    record({
      type: 'release.succeeded',
      projectId: 'p',
      runId: null,
      releaseId: id,
      data: {
        number,
        applicationId: f.applicationId,
        environmentId: f.environments[env] as string,
        image: `web:${number}`,
        trigger: 'manual',
        reason: null,
      },
    });
  });
  return id;
}

for (const store of ['sqlite', 'postgres'] as const) {
  describe(`behaviour on ${store}`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(
        store === 'postgres' && cluster
          ? { SLIPWAY_DATABASE_URL: await cluster.createDatabase('collect') }
          : {},
      );
    });
    after(() => t?.close());

    test('attribution follows the serving release; the report counts per page, referrer, event, error and release', async () => {
      const f = await createSite(t, [{ origin: PAGE, environment: 'production' }]);
      const send = (from: string, body: Record<string, unknown>) =>
        collect(t.url, { site: f.siteKey, url: `${PAGE}/`, ...body }, { origin: PAGE, from });
      // Before any release: attributed to the environment, no release.
      assert.equal((await send('127.0.1.1', { kind: 'pageview' })).status, 202);
      await release(t, f, 'production', 1);
      await send('127.0.1.1', {
        kind: 'pageview',
        url: `${PAGE}/a`,
        referrer: 'https://search.example/?q=x',
      });
      await send('127.0.1.2', { kind: 'pageview', url: `${PAGE}/a` });
      await send('127.0.1.2', { kind: 'event', name: 'signup', props: { plan: 'pro' } });
      await release(t, f, 'production', 2);
      await send('127.0.1.3', { kind: 'pageview', url: `${PAGE}/b`, referrer: 'https://search.example/' });
      await send('127.0.1.3', {
        kind: 'error',
        name: 'TypeError: x is undefined',
        source: `${PAGE}/app.js:1:10`,
      });
      await send('127.0.1.3', {
        kind: 'error',
        name: 'TypeError: x is undefined',
        source: `${PAGE}/app.js:1:10`,
      });

      const get = async (q = '') => {
        const res = await t.api(`${f.base}/behaviour${q}`);
        assert.equal(res.status, 200);
        return (await res.json()) as {
          totals: { visitors: number; views: number; events: number; errors: number };
          series: { at: number; views: number; visitors: number }[];
          pages: { path: string; views: number; visitors: number }[];
          referrers: { host: string; views: number }[];
          events: { name: string; count: number; visitors: number }[];
          errors: { message: string; count: number }[];
          releases: {
            number: number;
            environment: string;
            views: number;
            visitors: number;
            events: number;
            errors: number;
            feedback: number;
          }[];
        };
      };
      await until('seven events', async () => {
        const r = await get();
        return r.totals.views + r.totals.events + r.totals.errors === 7;
      });
      const all = await get();
      assert.deepEqual(all.totals, { visitors: 3, views: 4, events: 1, errors: 2 });
      assert.deepEqual(all.pages, [
        { path: '/a', views: 2, visitors: 2 },
        { path: '/', views: 1, visitors: 1 },
        { path: '/b', views: 1, visitors: 1 },
      ]);
      assert.deepEqual(all.referrers, [{ host: 'search.example', views: 2 }]);
      assert.deepEqual(all.events, [{ name: 'signup', count: 1, visitors: 1 }]);
      assert.deepEqual(
        all.errors.map((e) => [e.message, e.count]),
        [['TypeError: x is undefined', 2]],
      );
      assert.equal(
        all.series.reduce((s, b) => s + b.views, 0),
        4,
      );
      assert.deepEqual(all.releases, [
        { number: 2, environment: 'production', visitors: 1, views: 1, events: 0, errors: 2, feedback: 0 },
        { number: 1, environment: 'production', visitors: 2, views: 2, events: 1, errors: 0, feedback: 0 },
      ]);
      const one = await get('?release=1');
      assert.deepEqual(one.totals, { visitors: 2, views: 2, events: 1, errors: 0 });
      const missing = await t.api(`${f.base}/behaviour?release=99`);
      assert.equal(missing.status, 404);
      const backwards = await t.api(`${f.base}/behaviour?from=10&to=5`);
      assert.equal(backwards.status, 400);
    });

    test('the visitor hash rotates with the UTC day and yesterday’s salt is deleted', async () => {
      let clock = Date.UTC(2026, 11, 5, 23, 59, 0);
      const hasher = new VisitorHasher(t.server.ctx.db, () => clock);
      const today = await hasher.visitor('s_key', '203.0.113.9', 'UA');
      assert.equal(await hasher.visitor('s_key', '203.0.113.9', 'UA'), today);
      assert.notEqual(await hasher.visitor('s_key', '203.0.113.10', 'UA'), today);
      assert.notEqual(await hasher.visitor('s_other', '203.0.113.9', 'UA'), today);
      clock += 2 * 60_000;
      const tomorrow = await hasher.visitor('s_key', '203.0.113.9', 'UA');
      assert.notEqual(tomorrow, today);
      const days = await t.server.ctx.db.selectFrom('visitor_salts').select('day').execute();
      assert.deepEqual(
        days.map((d) => d.day),
        ['2026-12-06'],
      );
      // A second process of the same day agrees (the salt is shared through the database).
      assert.equal(
        await new VisitorHasher(t.server.ctx.db, () => clock).visitor('s_key', '203.0.113.9', 'UA'),
        tomorrow,
      );
    });
  });
}
