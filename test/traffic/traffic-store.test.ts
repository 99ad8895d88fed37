/**
 * Traffic reports through the real agent route into `traffic_minutes`, on SQLite and on a real
 * PostgreSQL cluster: additive upserts, a re-sent report counted once, buckets of releases or
 * environments the agent does not run ignored, bad input refused with the field, retention.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { compareTraffic } from '../../src/domain/release-stats.js';
import { sweepTraffic } from '../../src/server/traffic/traffic-reports.js';
import { releaseSample } from '../../src/server/traffic/traffic-samples.js';
import { type PostgresCluster, startPostgres } from '../support/postgres.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { agentPost, bucket, seedEnvironment } from './traffic-fixture.js';

let cluster: PostgresCluster | null = null;
before(async () => {
  cluster = await startPostgres();
});
after(async () => {
  await cluster?.stop();
});

const MINUTE = 60_000;

for (const store of ['SQLite', 'PostgreSQL'] as const) {
  describe(`traffic minutes on ${store}`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(
        store === 'PostgreSQL' && cluster
          ? { SLIPWAY_DATABASE_URL: await cluster.createDatabase('traffic') }
          : {},
      );
    });
    after(async () => {
      await t.close();
    });

    test('reports add up per minute, a re-sent report counts once, foreign buckets are ignored', async () => {
      const e = await seedEnvironment(t);
      const [r1, r2] = e.releases as [string, string];
      const minute = Math.floor(Date.now() / MINUTE) * MINUTE;
      const ref = { project: e.project, app: e.app, env: e.env };
      const first = { reportId: 'rep-1', environments: [{ ...ref, buckets: [bucket(r1, minute, 60, 1)] }] };
      let res = await agentPost(t, e.agentToken, '/traffic', first);
      assert.equal(res.status, 200, await res.clone().text());
      assert.deepEqual(await res.json(), { stored: 1, ignored: 0, duplicate: false });
      // The same minute again, in a second report: added.
      res = await agentPost(t, e.agentToken, '/traffic', {
        reportId: 'rep-2',
        environments: [
          { ...ref, buckets: [bucket(r1, minute, 40, 1), bucket('not-a-release', minute, 5, 0)] },
        ],
      });
      assert.deepEqual(await res.json(), { stored: 1, ignored: 1, duplicate: false });
      // The first report re-sent (its answer was lost): nothing added.
      res = await agentPost(t, e.agentToken, '/traffic', first);
      assert.deepEqual(await res.json(), { stored: 0, ignored: 0, duplicate: true });
      // Another agent may not report this environment.
      const other = await seedEnvironment(t, 1);
      res = await agentPost(t, other.agentToken, '/traffic', {
        reportId: 'rep-3',
        environments: [{ ...ref, buckets: [bucket(r1, minute, 1000, 0)] }],
      });
      assert.deepEqual(await res.json(), { stored: 0, ignored: 1, duplicate: false });

      const rows = await t.server.ctx.db
        .selectFrom('traffic_minutes')
        .selectAll()
        .where('environment_id', '=', e.environmentId)
        .execute();
      assert.equal(rows.length, 1);
      const row = rows[0] as (typeof rows)[number];
      assert.equal(Number(row.requests), 100);
      assert.equal(Number(row.status_2xx), 98);
      assert.equal(Number(row.status_5xx), 2);
      assert.equal(Number(row.bytes_out), 10_000);
      const latency = JSON.parse(row.latency_counts) as number[];
      assert.equal(
        latency.reduce((a, b) => a + b, 0),
        100,
      );

      // Two healthy releases with the same behaviour: the stored rows compare as no change.
      const buckets = [0, 1, 2].flatMap((i) => [
        bucket(r1, minute - (i + 1) * MINUTE, 400, 2),
        bucket(r2, minute + (i + 1) * MINUTE, 400, 2),
      ]);
      res = await agentPost(t, e.agentToken, '/traffic', {
        reportId: 'rep-4',
        environments: [{ ...ref, buckets }],
      });
      assert.deepEqual(await res.json(), { stored: 6, ignored: 0, duplicate: false });
      const before1 = await releaseSample(t.server.ctx.db, e.environmentId, r1);
      const after2 = await releaseSample(t.server.ctx.db, e.environmentId, r2);
      assert.equal(before1.requests, 1300);
      assert.equal(after2.requests, 1200);
      assert.equal(compareTraffic(before1, after2).verdict, 'no_change');
      // …and a release answering 500 on 20 % is worse.
      const bad = [0, 1, 2].map((i) => bucket(r2, minute + (i + 10) * MINUTE, 400, 80));
      await agentPost(t, e.agentToken, '/traffic', {
        reportId: 'rep-5',
        environments: [{ ...ref, buckets: bad }],
      });
      const worse = await releaseSample(t.server.ctx.db, e.environmentId, r2);
      assert.equal(compareTraffic(before1, worse).verdict, 'worse');

      // Prometheus: running totals per app/env/release, a latency histogram.
      const metrics = await (await t.api('/metrics')).text();
      const labels = `project="${e.project}",app="web",env="prod",release="1",role="stable"`;
      assert.ok(metrics.includes(`slipway_http_requests_total{${labels},status_class="2xx"} 1292`), metrics);
      assert.ok(metrics.includes(`slipway_http_requests_total{${labels},status_class="5xx"} 8`));
      assert.ok(metrics.includes(`slipway_http_request_duration_ms_count{${labels}} 1300`));
      assert.ok(metrics.includes(`slipway_http_request_duration_ms_bucket{${labels},le="+Inf"} 1300`));

      // Retention: minutes older than the retention go, recent ones stay.
      const swept = await sweepTraffic(t.server.ctx.db, minute + 31 * 86_400_000 - 2 * MINUTE, 30);
      assert.ok(swept.minutes >= 4, `swept ${swept.minutes}`);
      const left = await t.server.ctx.db
        .selectFrom('traffic_minutes')
        .select('minute')
        .where('environment_id', '=', e.environmentId)
        .execute();
      assert.ok(left.every((r) => Number(r.minute) >= minute + 86_400_000 - 2 * MINUTE));
    });

    test('bad reports are refused with what is wrong; calls need an agent token', async () => {
      const e = await seedEnvironment(t, 1);
      const ref = { project: e.project, app: e.app, env: e.env };
      const b = { ...bucket(e.releases[0] as string, 0, 1, 0), minute: 12_345 };
      let res = await agentPost(t, e.agentToken, '/traffic', {
        reportId: 'x',
        environments: [{ ...ref, buckets: [b] }],
      });
      assert.equal(res.status, 400);
      assert.match(await res.text(), /minute/);
      res = await agentPost(t, e.agentToken, '/traffic', {
        reportId: 'y',
        environments: [{ ...ref, buckets: [{ ...b, minute: 0, latency: [1, 2] }] }],
      });
      assert.equal(res.status, 400);
      assert.match(await res.text(), /latency/);
      res = await agentPost(t, 'sla_wrong', '/traffic', { reportId: 'z', environments: [] });
      assert.equal(res.status, 401);
    });
  });
}
