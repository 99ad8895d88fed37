/**
 * The access matrix (issue #14): walks every route the server serves and proves that each one
 * under `/api/projects/:project…` answers a private project's non-members — signed in or not —
 * exactly like a missing project, streams included; and that every route outside that prefix
 * is one we have decided about (the list below), so a route added later cannot forget the check.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isProjectRoute } from '../../src/server/access/project-guard.js';
import { jobRow, runRow } from '../support/rows.js';
import { createUserWithToken, startTestServer, type TestServer } from '../support/server.js';

/**
 * Routes that name no project in their pattern, with the reason they need no project check.
 * A new route must be added here (with a reason) or live under /api/projects/:project.
 */
const NOT_PROJECT_ROUTES: Record<string, string> = {
  'GET /healthz': 'health',
  'GET /metrics': 'counts only, signed-in users',
  'GET /api/openapi.json': 'API description',
  'GET /api/docs': 'API description',
  'GET /api/docs.css': 'API description',
  'POST /api/session': 'sign in',
  'DELETE /api/session': 'sign out',
  'GET /api/me': 'own account',
  'PUT /api/me/password': 'own account',
  'GET /api/tokens': 'own tokens',
  'POST /api/tokens': 'own tokens',
  'DELETE /api/tokens/:id': 'own tokens',
  'GET /api/users': 'admin',
  'POST /api/users': 'admin',
  'PATCH /api/users/:username': 'admin',
  'DELETE /api/users/:username': 'admin',
  'POST /api/invites': 'admin',
  'GET /api/invites': 'admin',
  'DELETE /api/invites/:id': 'admin',
  'POST /api/invites/:token/accept': 'invitation token',
  'GET /api/audit': 'admin (instance audit log)',
  'GET /api/auth/providers': 'sign-in providers',
  'GET /api/auth/oidc/:provider/start': 'sign in',
  'GET /api/auth/oidc/:provider/callback': 'sign in',
  'GET /api/projects': 'filtered to readable projects (tested below)',
  'POST /api/projects': 'creates a project; instance maintainers',
  'POST /api/pipeline/import': 'converts a pasted file; reads no project',
  'POST /api/agents': 'admin',
  'GET /api/agents': 'admin',
  'DELETE /api/agents/:id': 'admin',
  'GET /api/registries': 'admin (instance registries)',
  'POST /api/registries': 'admin',
  'DELETE /api/registries/:id': 'admin',
  'POST /api/registries/:id/check': 'admin',
  'GET /api/notifications': 'admin (global channels)',
  'POST /api/notifications': 'admin',
  'PUT /api/notifications/:id': 'admin',
  'DELETE /api/notifications/:id': 'admin',
  'POST /api/notifications/:id/test': 'admin',
  'GET /api/notifications/:id/deliveries': 'admin',
  'GET /api/insights/summary': 'aggregates over readable projects only (tested below)',
  'GET /api/insights/changes': 'aggregates over readable projects only',
  'GET /api/insights/weekly': 'aggregates over readable projects only',
  'POST /api/collect': 'public beacon of a site key: writes events, reads nothing back',
  'OPTIONS /api/collect': 'CORS preflight of the beacon (declared origins only)',
  'POST /api/collect/feedback': 'public feedback widget of a site key: writes, reads nothing back',
  'OPTIONS /api/collect/feedback': 'CORS preflight of the feedback widget',
  'GET /api/collect/sites/:key': 'the public script asks whether its site has feedback on; the key is public',
  'GET /badge/:file': 'own rule: per-project public badge switch (migration 007)',
  'GET /badge/coverage/:file': 'own rule: per-project public badge switch',
  'POST /api/hooks/:project/:forge': 'forge webhooks: HMAC of the project, no user',
  'GET /git/:repo/info/refs': 'git smart HTTP: same rules, checked in git-routes (tested below)',
  'POST /git/:repo/git-upload-pack': 'git smart HTTP',
  'POST /git/:repo/git-receive-pack': 'git smart HTTP',
};

/** Agent routes authenticate agents against the lease of the job; no user ever reaches them. */
const isAgentRoute = (url: string) => url.startsWith('/api/agent/');
/** The web UI's static files and client-side routes: the data they show comes from the API. */
const isWebRoute = (url: string) =>
  !url.startsWith('/api/') &&
  !url.startsWith('/git/') &&
  !url.startsWith('/badge/') &&
  url !== '/healthz' &&
  url !== '/metrics';

const SAMPLE: Record<string, string> = {
  number: '1',
  job: 'build',
  app: 'web',
  env: 'prod',
  id: 'some-id',
  name: 'SOME_SECRET',
  key: 'some-key',
  username: 'someone',
};

function fill(url: string, project: string): string {
  return url.replace(/:(\w+)/g, (_m, param: string) =>
    encodeURIComponent(param === 'project' ? project : (SAMPLE[param] ?? 'x')),
  );
}

describe('per-project access: every project route hides a private project', () => {
  let t: TestServer;
  let outsiderToken: string;
  let viewerMemberToken: string;
  let projectRoutes: { method: string; url: string }[];

  before(async () => {
    t = await startTestServer({ SLIPWAY_ALLOW_PUBLIC_PROJECTS: 'true' });
    // The strongest non-admin: an instance maintainer who is not a member.
    outsiderToken = await createUserWithToken(t.server, 'outsider', 'maintainer');
    viewerMemberToken = await createUserWithToken(t.server, 'watcher', 'viewer');
    const res = await t.api('/api/projects', {
      method: 'POST',
      body: JSON.stringify({ name: 'hidden', source: { kind: 'builtin' } }),
    });
    const project = JSON.parse(await res.text()) as { id: string; visibility: string };
    assert.equal(res.status, 201, JSON.stringify(project));
    assert.equal(project.visibility, 'private', 'new projects start private');
    // A real run with a job, so run- and job-addressed routes have something to find.
    const run = runRow({ project_id: project.id, number: 1 });
    await t.server.ctx.db.insertInto('runs').values(run).execute();
    await t.server.ctx.db
      .insertInto('jobs')
      .values(jobRow({ run_id: run.id, name: 'build', stage: 'test' }))
      .execute();
    const put = await t.api('/api/projects/hidden/members/watcher', {
      method: 'PUT',
      body: JSON.stringify({ role: 'viewer' }),
    });
    assert.equal(put.status, 201, await put.text());
    projectRoutes = t.server.ctx.routes.served.filter((r) => isProjectRoute(r.url) && r.method !== 'HEAD');
  });
  after(() => t.close());

  it('every served route is a guarded project route or one decided about above', () => {
    const undecided = t.server.ctx.routes.served
      .filter(
        (r) => r.method !== 'HEAD' && !isProjectRoute(r.url) && !isAgentRoute(r.url) && !isWebRoute(r.url),
      )
      .map((r) => `${r.method} ${r.url}`)
      .filter((key) => !(key in NOT_PROJECT_ROUTES));
    assert.deepEqual(undecided, [], 'new routes must live under /api/projects/:project or be listed');
    // Project-scoped data must be addressed through the project: no /api/runs/:id and the like.
    const stray = t.server.ctx.routes.served.filter(
      (r) =>
        !isProjectRoute(r.url) && /:(project|number|run|job|release)\b/.test(r.url) && !isAgentRoute(r.url),
    );
    assert.deepEqual(
      stray.map((r) => `${r.method} ${r.url}`),
      ['POST /api/hooks/:project/:forge'],
    );
    assert.ok(projectRoutes.length >= 60, `only ${projectRoutes.length} project routes found`);
  });

  const callers: { who: string; headers: () => Record<string, string> }[] = [
    { who: 'a signed-in non-member', headers: () => ({ authorization: `Bearer ${outsiderToken}` }) },
    { who: 'an anonymous caller', headers: () => ({}) },
  ];
  for (const caller of callers) {
    it(`answers ${caller.who} 404 "project not found" on every project route, as for a missing project`, async () => {
      const failures: string[] = [];
      for (const route of projectRoutes) {
        for (const project of ['hidden', 'nosuchp']) {
          const res = await fetch(`${t.url}${fill(route.url, project)}`, {
            method: route.method,
            headers: {
              ...caller.headers(),
              ...(route.method === 'GET' ? {} : { 'content-type': 'application/json' }),
            },
            ...(route.method === 'GET' ? {} : { body: '{}' }),
          });
          const body = await res.text();
          const expected = JSON.stringify({
            error: { code: 'not_found', message: `project "${project}" not found` },
          });
          if (res.status !== 404 || body !== expected) {
            failures.push(`${route.method} ${route.url} (${project}): ${res.status} ${body.slice(0, 120)}`);
          }
        }
      }
      assert.deepEqual(failures, []);
    });
  }

  it('lets the member read (streams included) but not act beyond the viewer role', async () => {
    const headers = { authorization: `Bearer ${viewerMemberToken}` };
    for (const path of [
      '/api/projects/hidden',
      '/api/projects/hidden/runs',
      '/api/projects/hidden/runs/1',
      '/api/projects/hidden/members',
    ]) {
      const res = await fetch(`${t.url}${path}`, { headers });
      assert.equal(res.status, 200, `${path}: ${await res.text()}`);
    }
    const controller = new AbortController();
    const stream = await fetch(`${t.url}/api/projects/hidden/events`, { headers, signal: controller.signal });
    assert.equal(stream.status, 200);
    assert.match(stream.headers.get('content-type') ?? '', /text\/event-stream/);
    controller.abort();
    const writes: [string, string][] = [
      ['POST', '/api/projects/hidden/runs'],
      ['POST', '/api/projects/hidden/runs/1/cancel'],
      ['PATCH', '/api/projects/hidden'],
      ['PUT', '/api/projects/hidden/members/outsider'],
      ['PUT', '/api/projects/hidden/secrets/X'],
    ];
    for (const [method, path] of writes) {
      const res = await fetch(`${t.url}${path}`, {
        method,
        headers: { ...headers, 'content-type': 'application/json' },
        body: '{}',
      });
      assert.equal(res.status, 403, `${method} ${path}: ${await res.text()}`);
    }
  });

  it('git over HTTP: same rules — 404 for a non-member, a Basic challenge without credentials, push needs developer', async () => {
    const refs = (service: string, user?: string, token?: string) =>
      fetch(`${t.url}/git/hidden.git/info/refs?service=${service}`, {
        headers: user ? { authorization: `Basic ${Buffer.from(`${user}:${token}`).toString('base64')}` } : {},
      });
    const anonymous = await refs('git-upload-pack');
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Basic/);
    const missing = await fetch(`${t.url}/git/nosuchp.git/info/refs?service=git-upload-pack`);
    assert.equal(missing.status, 401, 'a missing project asks for credentials alike');
    const outsider = await refs('git-upload-pack', 'outsider', outsiderToken);
    assert.equal(outsider.status, 404);
    assert.equal(
      await outsider.text(),
      JSON.stringify({ error: { code: 'not_found', message: 'project "hidden" not found' } }),
    );
    const member = await refs('git-upload-pack', 'watcher', viewerMemberToken);
    assert.equal(member.status, 200);
    await member.body?.cancel();
    assert.equal((await refs('git-receive-pack', 'watcher', viewerMemberToken)).status, 403);
  });

  it('lists only readable projects and aggregates insights over them only', async () => {
    const list = async (token: string | null) => {
      const res = await fetch(
        `${t.url}/api/projects`,
        token ? { headers: { authorization: `Bearer ${token}` } } : {},
      );
      return {
        status: res.status,
        names: res.status === 200 ? ((await res.json()) as { name: string }[]).map((p) => p.name) : [],
      };
    };
    assert.deepEqual((await list(outsiderToken)).names, []);
    assert.deepEqual((await list(viewerMemberToken)).names, ['hidden']);
    assert.deepEqual((await list(t.adminToken)).names, ['hidden']);
    assert.deepEqual((await list(null)).names, [], 'anonymous callers list only public projects');
    const asked = await fetch(`${t.url}/api/insights/summary?project=hidden`, {
      headers: { authorization: `Bearer ${outsiderToken}` },
    });
    assert.equal(asked.status, 404);
    const all = await fetch(`${t.url}/api/insights/summary`, {
      headers: { authorization: `Bearer ${outsiderToken}` },
    });
    assert.equal(all.status, 200);
    assert.ok(!JSON.stringify(await all.json()).includes('hidden'));
  });
});

describe('per-project access: public projects, and anonymous callers while they are off', () => {
  it('a public project is read without sign-in, never changed; with public projects off anonymous is 401 for any name', async () => {
    const open = await startTestServer({ SLIPWAY_ALLOW_PUBLIC_PROJECTS: 'true' });
    const closed = await startTestServer();
    try {
      const made = await open.api('/api/projects', {
        method: 'POST',
        body: JSON.stringify({ name: 'shown', source: { kind: 'builtin' }, visibility: 'public' }),
      });
      assert.equal(made.status, 201);
      const refused = await closed.api('/api/projects', {
        method: 'POST',
        body: JSON.stringify({ name: 'shown', source: { kind: 'builtin' }, visibility: 'public' }),
      });
      assert.equal(refused.status, 400);
      assert.equal(
        ((await refused.json()) as { error: { reason: string } }).error.reason,
        'public_projects_disabled',
      );
      await closed.api('/api/projects', {
        method: 'POST',
        body: JSON.stringify({ name: 'shown', source: { kind: 'builtin' } }),
      });
      for (const path of ['/api/projects/shown', '/api/projects/shown/runs', '/api/projects/shown/members']) {
        assert.equal((await fetch(`${open.url}${path}`)).status, 200, path);
      }
      const list = (await (await fetch(`${open.url}/api/projects`)).json()) as { name: string }[];
      assert.deepEqual(
        list.map((p) => p.name),
        ['shown'],
      );
      for (const [method, path] of [
        ['POST', '/api/projects/shown/runs'],
        ['PATCH', '/api/projects/shown'],
        ['GET', '/api/projects/shown/registries'],
      ] as const) {
        const res = await fetch(`${open.url}${path}`, {
          method,
          ...(method === 'GET' ? {} : { headers: { 'content-type': 'application/json' }, body: '{}' }),
        });
        assert.equal(res.status, 401, `${method} ${path}`);
      }
      const routes = closed.server.ctx.routes.served.filter(
        (r) => isProjectRoute(r.url) && r.method !== 'HEAD',
      );
      const answers = new Set<string>();
      for (const route of routes) {
        for (const project of ['shown', 'nosuchp']) {
          const res = await fetch(`${closed.url}${fill(route.url, project)}`, {
            method: route.method,
            ...(route.method === 'GET'
              ? {}
              : { headers: { 'content-type': 'application/json' }, body: '{}' }),
          });
          answers.add(`${res.status} ${await res.text()}`);
        }
      }
      assert.deepEqual(
        [...answers],
        ['401 {"error":{"code":"unauthorized","message":"sign in or send an API token"}}'],
      );
    } finally {
      await open.close();
      await closed.close();
    }
  });
});
