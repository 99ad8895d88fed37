/**
 * Public projects read without signing in (issue #14): a visitor reads a public project exactly
 * as a signed-in instance viewer who is not a member does — every GET project route, streams,
 * logs, artifacts and test reports included — and insights aggregate public projects only for
 * them (401 while public projects are off). The web UI's visitor pages rest on this.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isProjectRoute } from '../../src/server/access/project-guard.js';
import { jobRow, runRow } from '../support/rows.js';
import { createUserWithToken, startTestServer } from '../support/server.js';

/** Values for a route pattern's parameters: the run and job inserted below, samples otherwise. */
const SAMPLE: Record<string, string> = { number: '1', job: 'build', app: 'web', env: 'prod' };

function fill(url: string, project: string): string {
  return url.replace(/:(\w+)/g, (_m, param: string) =>
    encodeURIComponent(param === 'project' ? project : (SAMPLE[param] ?? 'x')),
  );
}

describe('per-project access: a visitor reads a public project as a signed-in viewer does', () => {
  it('every GET project route (streams, logs, artifacts, tests included) answers a visitor like an instance viewer; insights cover public projects only', async () => {
    const open = await startTestServer({ SLIPWAY_ALLOW_PUBLIC_PROJECTS: 'true' });
    const closed = await startTestServer();
    try {
      const readerToken = await createUserWithToken(open.server, 'reader', 'viewer');
      const made = await open.api('/api/projects', {
        method: 'POST',
        body: JSON.stringify({ name: 'shown', source: { kind: 'builtin' }, visibility: 'public' }),
      });
      const project = (await made.json()) as { id: string };
      assert.equal(made.status, 201);
      await open.api('/api/projects', {
        method: 'POST',
        body: JSON.stringify({ name: 'kept', source: { kind: 'builtin' } }),
      });
      const run = runRow({ project_id: project.id, number: 1 });
      await open.server.ctx.db.insertInto('runs').values(run).execute();
      await open.server.ctx.db
        .insertInto('jobs')
        .values(jobRow({ run_id: run.id, name: 'build', stage: 'test' }))
        .execute();
      /** Status only: a stream's body never ends, so it is cancelled once the answer has begun. */
      const status = async (url: string, token: string | null) => {
        const controller = new AbortController();
        const res = await fetch(url, {
          headers: token ? { authorization: `Bearer ${token}` } : {},
          signal: controller.signal,
        });
        controller.abort();
        return res.status;
      };
      const routes = open.server.ctx.routes.served.filter((r) => isProjectRoute(r.url) && r.method === 'GET');
      const differ: string[] = [];
      const read: string[] = [];
      for (const route of routes) {
        const url = `${open.url}${fill(route.url, 'shown')}`;
        const [asVisitor, asViewer] = [await status(url, null), await status(url, readerToken)];
        // Where the viewer role is not enough, the visitor is asked to sign in (401) instead of 403.
        const same = asVisitor === asViewer || (asVisitor === 401 && asViewer === 403);
        if (!same) differ.push(`${route.url}: visitor ${asVisitor}, viewer ${asViewer}`);
        if (asVisitor === 200) read.push(route.url);
      }
      assert.deepEqual(differ, []);
      for (const needed of [
        '/api/projects/:project/events',
        '/api/projects/:project/runs/:number',
        '/api/projects/:project/runs/:number/artifacts',
        '/api/projects/:project/runs/:number/tests',
        '/api/projects/:project/images',
        '/api/projects/:project/applications',
      ]) {
        assert.ok(read.includes(needed), `a visitor cannot read ${needed}`);
      }
      const insights = await fetch(`${open.url}/api/insights/summary`);
      assert.equal(insights.status, 200);
      const scope = JSON.stringify(await insights.json());
      assert.ok(!scope.includes('kept'), 'a private project leaked into a visitor’s insights');
      assert.equal((await fetch(`${open.url}/api/insights/summary?project=kept`)).status, 404);
      assert.equal((await fetch(`${open.url}/api/insights/weekly`)).status, 200);
      assert.equal((await fetch(`${closed.url}/api/insights/summary`)).status, 401);
      assert.equal((await fetch(`${closed.url}/api/insights/changes`)).status, 401);
    } finally {
      await open.close();
      await closed.close();
    }
  });
});
