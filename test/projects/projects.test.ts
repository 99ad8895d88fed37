/** Projects through the API: roles, validation, the URLs shown, and the once-shown webhook secret. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunRow } from '../../src/server/store/tables.js';
import { type FakeSources, fakeSources } from '../support/recording-fakes.js';
import { runRow } from '../support/rows.js';
import { createUserWithToken, startTestServer, type TestServer } from '../support/server.js';
import { createUser, signIn, withToken } from '../support/session-client.js';

interface ProjectBody {
  id: string;
  name: string;
  source: { kind: string; url?: string; forge?: string };
  gitUrl?: string;
  webhookUrl?: string;
  webhookSecret?: string;
  defaultBranch: string;
  concurrencyLimit: number;
  trusted: boolean;
}

const post = (body: unknown): RequestInit => ({ method: 'POST', body: JSON.stringify(body) });
const patch = (body: unknown): RequestInit => ({ method: 'PATCH', body: JSON.stringify(body) });

describe('projects', () => {
  let t: TestServer;
  let sources: FakeSources;
  let viewer: string;
  let maintainer: string;
  before(async () => {
    t = await startTestServer();
    sources = fakeSources();
    t.server.ctx.sources = sources;
    viewer = await createUserWithToken(t.server, 'vera', 'viewer');
    maintainer = await createUserWithToken(t.server, 'max', 'maintainer');
  });
  after(() => t.close());

  test('a maintainer creates a built-in project: repository created, git URL and webhook secret shown', async () => {
    const res = await withToken(
      t,
      maintainer,
      '/api/projects',
      post({ name: 'app', source: { kind: 'builtin' }, visibility: 'internal' }),
    );
    assert.equal(res.status, 201);
    const p = (await res.json()) as ProjectBody;
    assert.equal(p.name, 'app');
    assert.deepEqual(p.source, { kind: 'builtin' });
    assert.equal(p.gitUrl, `${t.url}/git/app.git`);
    assert.equal(p.webhookUrl, undefined);
    assert.equal(p.defaultBranch, 'main');
    assert.equal(p.concurrencyLimit, 2);
    assert.equal(p.trusted, false);
    assert.ok(p.webhookSecret && p.webhookSecret.length >= 32);
    assert.ok(sources.calls.some((c) => c.method === 'ensureRepository' && c.project === 'app'));

    const row = await t.server.ctx.db
      .selectFrom('projects')
      .selectAll()
      .where('name', '=', 'app')
      .executeTakeFirstOrThrow();
    assert.match(row.webhook_secret, /^v1:/, 'sealed at rest');
    assert.equal(t.server.ctx.secretBox.open(row.webhook_secret), p.webhookSecret);

    const got = (await (await withToken(t, viewer, '/api/projects/app')).json()) as ProjectBody;
    assert.equal(got.webhookSecret, undefined, 'shown only once');
    assert.equal(got.gitUrl, p.gitUrl);
    assert.equal(
      (
        await withToken(
          t,
          maintainer,
          '/api/projects',
          post({ name: 'app', source: { kind: 'builtin' }, visibility: 'internal' }),
        )
      ).status,
      409,
    );
  });

  test('a remote project gets a webhook URL for its forge and no local repository', async () => {
    const before = sources.calls.length;
    const res = await t.api(
      '/api/projects',
      post({
        name: 'svc',
        source: { kind: 'remote', url: 'https://git.example.com/acme/svc.git', forge: 'gitea' },
      }),
    );
    assert.equal(res.status, 201);
    const p = (await res.json()) as ProjectBody;
    assert.deepEqual(p.source, {
      kind: 'remote',
      url: 'https://git.example.com/acme/svc.git',
      forge: 'gitea',
    });
    assert.equal(p.webhookUrl, `${t.url}/api/hooks/svc/gitea`);
    assert.equal(p.gitUrl, undefined);
    assert.equal(sources.calls.slice(before).filter((c) => c.method === 'ensureRepository').length, 0);
  });

  test('input is validated and errors name the field', async () => {
    const cases: [unknown, string][] = [
      [{ name: 'Bad Name', source: { kind: 'builtin' } }, 'body.name'],
      [{ name: '../etc', source: { kind: 'builtin' } }, 'body.name'],
      [{ name: 'ok', source: { kind: 'ftp' } }, 'body.source.kind'],
      [{ name: 'ok', source: { kind: 'remote', url: 'ftp://x/y', forge: 'github' } }, 'body.source.url'],
      [
        { name: 'ok', source: { kind: 'remote', url: 'https://u:tok@x.example/y', forge: 'github' } },
        'body.source.url',
      ],
      [{ name: 'ok', source: { kind: 'builtin' }, defaultBranch: 'a..b' }, 'body.defaultBranch'],
      [{ name: 'ok', source: { kind: 'builtin' }, concurrencyLimit: 0 }, 'body.concurrencyLimit'],
    ];
    for (const [body, where] of cases) {
      const res = await t.api('/api/projects', post(body));
      assert.equal(res.status, 400, JSON.stringify(body));
      const error = ((await res.json()) as { error: { where: string; message: string } }).error;
      assert.equal(error.where, where, JSON.stringify(body));
      assert.ok(!error.message.includes('tok@'), 'credentials are not echoed');
    }
  });

  test('roles: viewers cannot create; maintainers cannot trust or delete; admins can', async () => {
    assert.equal(
      (await withToken(t, viewer, '/api/projects', post({ name: 'v', source: { kind: 'builtin' } }))).status,
      403,
    );
    const trusted = post({ name: 'tr', source: { kind: 'builtin' }, trusted: true });
    assert.equal((await withToken(t, maintainer, '/api/projects', trusted)).status, 403);
    await withToken(
      t,
      maintainer,
      '/api/projects',
      post({ name: 'lib', source: { kind: 'builtin' }, visibility: 'internal' }),
    );
    assert.equal((await withToken(t, maintainer, '/api/projects/lib', patch({ trusted: true }))).status, 403);
    assert.equal(
      (await withToken(t, viewer, '/api/projects/lib', patch({ concurrencyLimit: 3 }))).status,
      403,
    );
    assert.equal((await withToken(t, maintainer, '/api/projects/lib', { method: 'DELETE' })).status, 403);

    const p = (await (await t.api('/api/projects/lib', patch({ trusted: true }))).json()) as ProjectBody;
    assert.equal(p.trusted, true);
    assert.equal((await t.api('/api/projects/lib', { method: 'DELETE' })).status, 204);
    assert.equal((await t.api('/api/projects/lib')).status, 404);
  });

  test('patch changes the default branch and concurrency limit', async () => {
    await t.api('/api/projects', post({ name: 'web', source: { kind: 'builtin' }, visibility: 'internal' }));
    const res = await withToken(
      t,
      maintainer,
      '/api/projects/web',
      patch({ defaultBranch: 'develop', concurrencyLimit: 5 }),
    );
    assert.equal(res.status, 200);
    const p = (await res.json()) as ProjectBody;
    assert.equal(p.defaultBranch, 'develop');
    assert.equal(p.concurrencyLimit, 5);
    assert.equal(((await (await t.api('/api/projects/web')).json()) as ProjectBody).defaultBranch, 'develop');
    assert.equal((await t.api('/api/projects/web', patch({ defaultBranch: '-x' }))).status, 400);
  });

  test('unknown projects are 404 everywhere', async () => {
    for (const [path, init] of [
      ['/api/projects/nope', {}],
      ['/api/projects/nope', patch({ concurrencyLimit: 3 })],
      ['/api/projects/nope', { method: 'DELETE' }],
      ['/api/projects/nope/secrets', {}],
      ['/api/projects/nope/schedules', {}],
      ['/api/projects/nope/webhook-secret', { method: 'POST' }],
    ] as const) {
      assert.equal((await t.api(path, init)).status, 404, `${init.method ?? 'GET'} ${path}`);
    }
  });

  test('rotating the webhook secret returns a new one, once, and stores it sealed', async () => {
    const created = (await (
      await t.api('/api/projects', post({ name: 'rot', source: { kind: 'builtin' }, visibility: 'internal' }))
    ).json()) as ProjectBody;
    assert.equal(
      (await withToken(t, viewer, '/api/projects/rot/webhook-secret', { method: 'POST' })).status,
      403,
    );
    const res = await withToken(t, maintainer, '/api/projects/rot/webhook-secret', { method: 'POST' });
    const { webhookSecret } = (await res.json()) as { webhookSecret: string };
    assert.notEqual(webhookSecret, created.webhookSecret);
    const row = await t.server.ctx.db
      .selectFrom('projects')
      .selectAll()
      .where('name', '=', 'rot')
      .executeTakeFirstOrThrow();
    assert.equal(t.server.ctx.secretBox.open(row.webhook_secret), webhookSecret);
  });

  test('when the repository cannot be created: 503 and no half-made project', async () => {
    sources.failEnsure = true;
    try {
      const res = await t.api('/api/projects', post({ name: 'broken', source: { kind: 'builtin' } }));
      assert.equal(res.status, 503);
      assert.match(((await res.json()) as { error: { message: string } }).error.message, /git repository/);
      assert.equal((await t.api('/api/projects/broken')).status, 404);
    } finally {
      sources.failEnsure = false;
    }
  });

  test('the list shows each project’s latest run and the durations of its last finished runs', async () => {
    // Internal: a viewer who is not a member reads it (new projects are private by default).
    await t.api('/api/projects', post({ name: 'busy', source: { kind: 'builtin' }, visibility: 'internal' }));
    const project = await t.server.ctx.db
      .selectFrom('projects')
      .selectAll()
      .where('name', '=', 'busy')
      .executeTakeFirstOrThrow();
    for (let n = 1; n <= 12; n++) {
      const finished = n <= 11;
      await t.server.ctx.db
        .insertInto('runs')
        .values(timedRun(project.id, n, finished ? 1000 * n : null))
        .execute();
    }
    const list = (await (await withToken(t, viewer, '/api/projects')).json()) as (ProjectBody & {
      latestRun: { number: number; status: string; record: string } | null;
      recentDurations: number[];
    })[];
    const busy = list.find((p) => p.name === 'busy');
    assert.ok(busy);
    assert.equal(busy.latestRun?.number, 12);
    assert.equal(busy.latestRun?.status, 'running');
    assert.equal(busy.latestRun?.record, 'main-0000012');
    assert.deepEqual(busy.recentDurations, [2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000, 11000]);
    assert.equal(list.find((p) => p.name === 'web')?.latestRun, null);
    assert.ok(list.every((p) => p.webhookSecret === undefined));
  });
});

describe('projects behind a public https URL', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ SLIPWAY_PUBLIC_URL: 'https://ci.example.com/' });
    t.server.ctx.sources = fakeSources();
  });
  after(() => t.close());

  test('URLs use the public URL, and the session cookie is Secure', async () => {
    const p = (await (
      await t.api('/api/projects', post({ name: 'pub', source: { kind: 'builtin' } }))
    ).json()) as ProjectBody;
    assert.equal(p.gitUrl, 'https://ci.example.com/git/pub.git');
    await createUser(t, 'sec', 'long-enough-pw', 'viewer');
    const s = await signIn(t, 'sec', 'long-enough-pw');
    assert.match(s.setCookie, /; Secure/);
  });
});

function timedRun(projectId: string, n: number, durationMs: number | null): RunRow {
  const sha = String(n).padStart(7, '0');
  return runRow({
    project_id: projectId,
    number: n,
    record: `main-${sha}`,
    sha: `${sha}${'0'.repeat(33)}`,
    message: 'm',
    status: durationMs === null ? 'running' : 'succeeded',
    created_at: n * 10_000,
    started_at: n * 10_000,
    finished_at: durationMs === null ? null : n * 10_000 + durationMs,
  });
}
