/**
 * Release, approval and weekly-summary notifications, on SQLite and on a real PostgreSQL cluster
 * (the outbox, its dedup keys and the channel queries must work on both): release events go
 * through the real delivery event bus, the weekly summary through the function the server's
 * hourly check calls.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { DeliveryEvent } from '../../src/server/events/delivery-events.js';
import { queueWeeklySummaries, WEEK_MS } from '../../src/server/notify/weekly-summary.js';
import type { EnvironmentRow } from '../../src/server/store/tables.js';
import { configSources, insertProject, useSources } from '../runs/fixtures.js';
import { type PostgresCluster, startPostgres } from '../support/postgres.js';
import { environmentRow, releaseRow } from '../support/rows.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { ONE_JOB, type Receiver, runTo, startReceiver, until } from './notify-fixtures.js';

let cluster: PostgresCluster | null = null;
let receiver: Receiver;
before(async () => {
  receiver = await startReceiver();
  cluster = await startPostgres();
});
after(async () => {
  await receiver.close();
  await cluster?.stop();
});

for (const store of ['SQLite', 'PostgreSQL'] as const) {
  describe(`notification rules on ${store}`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer({
        SLIPWAY_OUTBOUND_ALLOWLIST: '127.0.0.1',
        SLIPWAY_DELIVERY_RETRY_BASE: '200ms',
        SLIPWAY_PUBLIC_URL: 'https://ci.example.com',
        ...(store === 'PostgreSQL' && cluster
          ? { SLIPWAY_DATABASE_URL: await cluster.createDatabase('notify') }
          : {}),
      });
    });
    after(async () => {
      await t.close();
    });

    test('release succeeded / rolled back and approval requested reach the channel with names and a link', async () => {
      const project = await insertProject(t);
      const path = `/${store}-releases`;
      const res = await t.api(`/api/projects/${project.name}/notifications`, {
        method: 'POST',
        body: JSON.stringify({
          name: 'rel',
          kind: 'webhook',
          rules: { events: ['release.succeeded', 'release.rolled_back', 'approval.requested'] },
          target: { url: `${receiver.url}${path}` },
        }),
      });
      assert.equal(res.status, 201);
      const db = t.server.ctx.db;
      const now = Date.now();
      const { appId, envId } = await insertShopWeb(db, project.id, now, { requires_approval: 1 });
      const data = {
        number: 3,
        applicationId: appId,
        environmentId: envId,
        image: 'shop:1.2',
        trigger: 'manual',
        reason: null,
      };
      const base = { projectId: project.id, runId: null, releaseId: null };
      for (const type of [
        'approval.requested',
        'release.succeeded',
        'release.started',
        'release.rolled_back',
      ] as const) {
        await t.server.ctx.deliveries.transact(db, Date.now, async (_trx, record) => {
          record({ type, ...base, data } as DeliveryEvent);
        });
      }
      await until(
        'three release messages',
        () => receiver.requests.filter((r) => r.url === path).length >= 3,
      );
      const got = receiver.requests
        .filter((r) => r.url === path)
        .map((r) => JSON.parse(r.body) as { event: string; url: string; text: string });
      assert.deepEqual(got.map((m) => m.event).sort(), [
        'approval.requested',
        'release.rolled_back',
        'release.succeeded',
      ]);
      const approval = got.find((m) => m.event === 'approval.requested');
      assert.equal(approval?.url, `https://ci.example.com/projects/${project.name}/apps`);
      assert.match(approval?.text ?? '', /shop-web → production #3 waits for approval/);
      assert.match(approval?.text ?? '', /image: shop:1\.2/);
    });

    test('a failed release tells a zh-CN channel why in Chinese, from its stored reason code', async () => {
      const project = await insertProject(t);
      const path = `/${store}-release-reason`;
      const res = await t.api(`/api/projects/${project.name}/notifications`, {
        method: 'POST',
        body: JSON.stringify({
          name: 'rel-zh',
          kind: 'webhook',
          language: 'zh-CN',
          rules: { events: ['release.failed'] },
          target: { url: `${receiver.url}${path}` },
        }),
      });
      assert.equal(res.status, 201);
      const db = t.server.ctx.db;
      const releaseId = randomUUID();
      const now = Date.now();
      const { appId, envId } = await insertShopWeb(db, project.id, now);
      const reason =
        'container shop-web-r5-1 is unhealthy after 3 failed health checks; last output: curl: (7)';
      await db
        .insertInto('releases')
        .values(
          releaseRow(
            {
              id: releaseId,
              application_id: appId,
              environment_id: envId,
              number: 5,
              image: 'shop:1.3',
              actor: 'alice',
              status: 'failed',
              reason,
              finished_at: now + 30_000,
            },
            now,
          ),
        )
        .execute();
      // As release-progress.ts stores them: the code and its parameters beside the release.
      await db
        .insertInto('release_reasons')
        .values({
          release_id: releaseId,
          code: 'container_unhealthy',
          params: JSON.stringify({ container: 'shop-web-r5-1', failures: 3, detail: 'curl: (7)' }),
        })
        .execute();
      const data = {
        number: 5,
        applicationId: appId,
        environmentId: envId,
        image: 'shop:1.3',
        trigger: 'manual',
        reason,
      };
      await t.server.ctx.deliveries.transact(db, Date.now, async (_trx, record) => {
        record({ type: 'release.failed', projectId: project.id, runId: null, releaseId, data });
      });
      await until('the release message', () => receiver.requests.some((r) => r.url === path));
      const got = JSON.parse(receiver.requests.find((r) => r.url === path)?.body ?? '{}') as {
        text: string;
        release: { reasonCode?: string };
      };
      assert.equal(got.release.reasonCode, 'container_unhealthy');
      assert.match(got.text, /shop-web → production #5 发布失败/);
      assert.match(
        got.text,
        /\n原因: 容器 shop-web-r5-1 连续 3 次健康检查失败，状态为不健康；最后输出：curl: \(7\)\n/,
      );
      assert.doesNotMatch(got.text, /is unhealthy|health checks/);
    });

    test('the weekly summary counts the week’s runs and is queued once per week', async () => {
      const runs = useSources(t, configSources(ONE_JOB));
      const project = await insertProject(t);
      const path = `/${store}-weekly`;
      const res = await t.api(`/api/projects/${project.name}/notifications`, {
        method: 'POST',
        body: JSON.stringify({
          name: 'weekly',
          kind: 'webhook',
          language: 'zh-CN',
          rules: { events: ['summary.weekly'] },
          target: { url: `${receiver.url}${path}` },
        }),
      });
      const { id } = (await res.json()) as { id: string };
      await runTo(t, runs, project, 'failed');
      await runTo(t, runs, project, 'succeeded');
      await runTo(t, runs, project, 'succeeded');
      const deps = { db: t.server.ctx.db, linkBase: 'https://ci.example.com' };
      // A channel made now gets its first summary a week later: nothing yet.
      assert.equal(await queueWeeklySummaries(deps, Date.now()), 0);
      await t.server.ctx.db
        .updateTable('notification_channels')
        .set({ last_summary_at: Date.now() - WEEK_MS - 1000 })
        .where('id', '=', id)
        .execute();
      assert.equal(await queueWeeklySummaries(deps, Date.now()), 1);
      assert.equal(await queueWeeklySummaries(deps, Date.now()), 0);
      await until('the summary', () => receiver.requests.some((r) => r.url === path));
      const summary = JSON.parse(receiver.requests.find((r) => r.url === path)?.body ?? '{}') as {
        event: string;
        summary: { runs: number; succeeded: number; failed: number };
        text: string;
      };
      assert.equal(summary.event, 'summary.weekly');
      assert.deepEqual([summary.summary.runs, summary.summary.succeeded, summary.summary.failed], [3, 2, 1]);
      assert.match(summary.text, /每周交付摘要/);
      assert.match(summary.text, /成功率 67%/);
    });
  });
}

/** Application shop-web with its production environment, written as the API would store them. */
async function insertShopWeb(
  db: TestServer['server']['ctx']['db'],
  projectId: string,
  now: number,
  env: Partial<EnvironmentRow> = {},
): Promise<{ appId: string; envId: string }> {
  const appId = randomUUID();
  const envId = randomUUID();
  await db
    .insertInto('applications')
    .values({ id: appId, project_id: projectId, name: 'shop-web', created_at: now })
    .execute();
  await db
    .insertInto('environments')
    .values(environmentRow({ ...env, id: envId, application_id: appId, name: 'production' }, now))
    .execute();
  return { appId, envId };
}
