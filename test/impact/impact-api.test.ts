/**
 * The impact API and `slipway impact` against a real server (SQLite) whose database holds the
 * scenarios of impact-scenarios.ts: the card, the timeline, the verdict list, the OpenAPI
 * document, permissions and the errors a user can cause; then the CLI's table, card and JSON.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ImpactCardJson, TimelineJson, VerdictListJson } from '../../src/api/impact.js';
import { main } from '../../src/cli/main.js';
import { floorMinute } from '../../src/server/impact/traffic-window.js';
import { createUserWithToken, startTestServer, type TestServer } from '../support/server.js';
import { type ImpactScenario, MIN, seedImpactScenarios } from './impact-scenarios.js';

let t: TestServer;
let s: ImpactScenario;
let base = '';

async function json<T>(path: string, token?: string): Promise<T> {
  const res = await t.api(path, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  assert.equal(res.status, 200, `${path}: ${res.status} ${await res.clone().text()}`);
  return (await res.json()) as T;
}

describe('impact API and CLI', { timeout: 120_000 }, () => {
  before(async () => {
    t = await startTestServer();
    // Every window closed long ago: the cards are final.
    s = await seedImpactScenarios(t.server.ctx.db, floorMinute(Date.now()) - 600 * MIN);
    base = `/api/projects/${s.project}/applications/web`;
  });
  after(async () => {
    await t?.close();
  });

  test('the card of a release: before/after, verdict, stated tests, canary, client errors, feedback', async () => {
    const card = await json<ImpactCardJson>(`${base}/releases/4/impact`);
    assert.equal(card.verdict, 'worse');
    assert.equal(card.phase, 'final');
    assert.equal(card.release.environment, 'production');
    assert.equal(card.before.release, 3);
    assert.equal(card.after.errorRate, 0.2);
    assert.equal(card.tests.errorRate.test, 'two_proportion_z');
    assert.equal(card.tests.latency.test, 'mann_whitney_u');
    assert.deepEqual(card.feedback, { count: 3, averageRating: 1.5 });
    assert.equal(card.clientErrors.after, 3);
    const shorter = await json<ImpactCardJson>(`${base}/releases/4/impact?window=10m&minRequests=500`);
    assert.equal(shorter.settings.windowMs, 10 * MIN);
    assert.equal(shorter.settings.minRequests, 500);
    assert.equal(shorter.after.requests, 1000);
    const canary = await json<ImpactCardJson>(`${base}/releases/7/impact`);
    assert.equal(canary.phase, 'not_live');
    assert.equal(canary.canary?.verdict, 'worse');
  });

  test('the timeline: points per step and release markers with verdicts', async () => {
    const from = new Date(s.t0).toISOString();
    const to = new Date(s.t0 + 300 * MIN).toISOString();
    const tl = await json<TimelineJson>(
      `${base}/impact?environment=production&from=${from}&to=${to}&step=1h`,
    );
    assert.equal(tl.stepMs, 60 * MIN);
    assert.deepEqual(
      tl.points.map((p) => p.requests),
      [6000, 6000, 6000, 6000, 316],
    );
    assert.deepEqual(
      tl.markers.map((m) => [m.number, m.verdict]),
      [
        [1, 'not_enough_data'],
        [2, 'no_change'],
        [3, 'better'],
        [4, 'worse'],
        [5, 'not_enough_data'],
      ],
    );
    // Without an environment: the production one; without a range: the last 24 hours.
    const recent = await json<TimelineJson>(`${base}/impact`);
    assert.equal(recent.environment, 'production');
    assert.equal(recent.markers.length, 5);
    const canaryEnv = await json<TimelineJson>(`${base}/impact?environment=canary&from=${from}&to=${to}`);
    assert.ok(canaryEnv.points.some((p) => p.canaryRequests > 0));
    assert.deepEqual(
      canaryEnv.markers.map((m) => [m.number, m.verdict, m.phase]),
      [
        [6, 'not_enough_data', 'final'],
        [7, null, 'not_live'],
      ],
    );
  });

  test('verdicts of recent releases; a viewer may read; mistakes are 4xx naming the field', async () => {
    const viewer = await createUserWithToken(t.server, 'impact-viewer', 'viewer');
    const list = await json<VerdictListJson>(`${base}/impact/verdicts`, viewer);
    assert.deepEqual(
      list.releases.map((r) => [r.number, r.verdict]),
      [
        [7, null],
        [6, 'not_enough_data'],
        [5, 'not_enough_data'],
        [4, 'worse'],
        [3, 'better'],
        [2, 'no_change'],
        [1, 'not_enough_data'],
      ],
    );
    assert.equal(list.releases[0]?.canaryVerdict, 'worse');
    const anonymous = await fetch(`${t.url}${base}/impact/verdicts`);
    assert.equal(anonymous.status, 401);
    const cases: [string, number, RegExp][] = [
      [`${base}/releases/99/impact`, 404, /release #99/],
      [`/api/projects/${s.project}/applications/nope/impact`, 404, /application "nope"/],
      [`${base}/impact?environment=nope`, 404, /environment "nope"/],
      [`${base}/releases/4/impact?window=soon`, 400, /window/],
      [`${base}/releases/4/impact?window=90s`, 400, /window/],
      [`${base}/releases/4/impact?minRequests=0`, 400, /minRequests/],
      [`${base}/impact?from=2026-11-02&to=2026-11-01`, 400, /from/],
      [`${base}/impact?from=2026-01-01&to=2026-11-01`, 400, /31 days/],
      [`${base}/impact?step=10s`, 400, /step/],
      [`${base}/impact?colour=red`, 400, /colour/],
    ];
    for (const [path, status, message] of cases) {
      const res = await t.api(path);
      const text = await res.text();
      assert.equal(res.status, status, `${path}: ${text}`);
      assert.match((JSON.parse(text) as { error: { message: string } }).error.message, message, path);
    }
  });

  test('impact: {window, min_requests} in an environment config is checked and used', async () => {
    const put = (impact: unknown) =>
      t.api(`${base}/environments/canary`, {
        method: 'PUT',
        body: JSON.stringify({ config: { impact } }),
      });
    const bad = await put({ window: '45s' });
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /impact\.window.*whole minutes/);
    assert.equal((await put({ window: '30m', min_requests: 0 })).status, 400);
    assert.equal((await put({ windows: '30m' })).status, 400);
    const ok = await put({ window: '5m', min_requests: 50 });
    assert.equal(ok.status, 200, await ok.clone().text());
    const card = await json<ImpactCardJson>(`${base}/releases/7/impact`);
    assert.deepEqual(card.settings.source, { window: 'environment', minRequests: 'environment' });
    assert.equal(card.settings.windowMs, 5 * MIN);
    assert.equal(card.before.requests, 500, 'R6 in the 5 minutes before R7 began');
  });

  test('the OpenAPI document lists the impact routes', async () => {
    const doc = (await json<{ paths: Record<string, unknown> }>('/api/openapi.json')).paths;
    for (const path of [
      '/api/projects/{project}/applications/{app}/impact',
      '/api/projects/{project}/applications/{app}/impact/verdicts',
      '/api/projects/{project}/applications/{app}/releases/{number}/impact',
    ]) {
      assert.ok(doc[path], `${path} in ${Object.keys(doc).filter((p) => p.includes('impact'))}`);
    }
  });

  test('slipway impact: an aligned table, a card, JSON, usage errors', async () => {
    let out = '';
    let err = '';
    const io = {
      stdout: (x: string) => {
        out += x;
      },
      stderr: (x: string) => {
        err += x;
      },
      cwd: process.cwd(),
      env: { SLIPWAY_SERVER: t.url, SLIPWAY_TOKEN: t.adminToken, HOME: '/nonexistent' },
      color: false,
    } as unknown as Parameters<typeof main>[1];
    assert.equal(await main(['impact', 'web', '--project', s.project], io), 0);
    const lines = out.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^RELEASE\s+ENV\s+STATUS\s+VERDICT\s+REQUESTS\s+ERROR RATE\s+P95$/);
    const row4 = lines.find((l) => l.startsWith('#4 ')) ?? '';
    assert.match(row4, /production\s+succeeded\s+worse\s+3000 → 3000\s+1\.00% → 20\.00%\s+15 ms → 15 ms/);
    // Aligned: every row's VERDICT column starts where the header's does.
    const col = (lines[0] ?? '').indexOf('VERDICT');
    for (const line of lines.slice(1))
      assert.match(line.slice(col), /^(worse|better|no change|not enough data|-)/, line);

    out = '';
    assert.equal(await main(['impact', 'web', '--project', s.project, '--release', '4'], io), 0);
    assert.match(out, /release #4 \(production, succeeded\): worse/);
    assert.match(out, /error rate: two_proportion_z z=\d+(\.\d+)? p=0 → worse/);
    assert.match(out, /feedback: 3 messages, average rating 1\.5/);
    out = '';
    assert.equal(await main(['impact', 'web', '--project', s.project, '--release', '7'], io), 0);
    assert.match(out, /canary vs stable, same minutes: worse/);

    out = '';
    assert.equal(await main(['impact', 'web', '--project', s.project, '--release', '3', '--json'], io), 0);
    assert.equal((JSON.parse(out) as ImpactCardJson).verdict, 'better');

    assert.equal(await main(['impact', '--project', s.project], io), 2);
    assert.match(err, /which application/);
    assert.equal(await main(['impact', 'web', '--project', s.project, '--release', 'x'], io), 2);
    assert.match(err, /--release: expected a release number/);
    assert.equal(await main(['impact', 'web', '--project', s.project, '--release', '99'], io), 2);
    assert.match(err, /404 release #99 of application "web" not found/);
  });
});
