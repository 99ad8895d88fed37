/** Cron schedules through the API: validated expressions, computed next firing, roles. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Schedule } from '../../src/api/schedules.js';
import { fakeSources } from '../support/recording-fakes.js';
import { createUserWithToken, startTestServer, type TestServer } from '../support/server.js';
import { withToken } from '../support/session-client.js';

const post = (body: unknown): RequestInit => ({ method: 'POST', body: JSON.stringify(body) });

describe('schedules', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
    t.server.ctx.sources = fakeSources();
    await t.api('/api/projects', post({ name: 'app', source: { kind: 'builtin' }, visibility: 'internal' }));
  });
  after(() => t.close());

  test('created with its next firing, listed, deleted', async () => {
    const before = Date.now();
    const res = await t.api('/api/projects/app/schedules', post({ branch: 'develop', cron: '*/15 * * * *' }));
    assert.equal(res.status, 201);
    const s = (await res.json()) as Schedule;
    assert.equal(s.branch, 'develop');
    assert.equal(s.enabled, true);
    assert.equal(s.lastRunId, null);
    assert.ok(s.nextAt > before && s.nextAt <= before + 15 * 60_000, 'within the next quarter hour');
    assert.equal(new Date(s.nextAt).getUTCMinutes() % 15, 0);

    const list = (await (await t.api('/api/projects/app/schedules')).json()) as Schedule[];
    assert.deepEqual(
      list.map((x) => x.id),
      [s.id],
    );
    assert.equal((await t.api(`/api/projects/app/schedules/${s.id}`, { method: 'DELETE' })).status, 204);
    assert.equal((await t.api(`/api/projects/app/schedules/${s.id}`, { method: 'DELETE' })).status, 404);
  });

  test('macros are accepted', async () => {
    const res = await t.api('/api/projects/app/schedules', post({ branch: 'main', cron: '@daily' }));
    assert.equal(res.status, 201);
    const s = (await res.json()) as Schedule;
    assert.equal(new Date(s.nextAt).getUTCHours(), 0);
  });

  test('a bad cron expression is a 400 naming body.cron', async () => {
    for (const cron of ['not cron', '61 * * * *', '* * * * * *', '@secondly', '']) {
      const res = await t.api('/api/projects/app/schedules', post({ branch: 'main', cron }));
      assert.equal(res.status, 400, cron);
      const error = ((await res.json()) as { error: { where: string; message: string } }).error;
      assert.equal(error.where, 'body.cron', cron);
      assert.match(error.message, /^body\.cron: /);
    }
    const badBranch = await t.api('/api/projects/app/schedules', post({ branch: 'a b', cron: '@daily' }));
    assert.equal(((await badBranch.json()) as { error: { where: string } }).error.where, 'body.branch');
  });

  test('viewers read; maintainers write', async () => {
    const viewer = await createUserWithToken(t.server, 'vi', 'viewer');
    assert.equal((await withToken(t, viewer, '/api/projects/app/schedules')).status, 200);
    const res = await withToken(
      t,
      viewer,
      '/api/projects/app/schedules',
      post({ branch: 'main', cron: '@daily' }),
    );
    assert.equal(res.status, 403);
  });
});
