/**
 * Badges are opt-in (security rule 9): without `publicBadge` a project's badge answers an
 * anonymous caller exactly like a project that does not exist, so badge URLs cannot probe
 * project names or read their status. Signed-in users (token or session cookie) see any badge.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runRow } from '../support/rows.js';
import { createUserWithToken, startTestServer, type TestServer } from '../support/server.js';
import { createUser, signIn, withToken } from '../support/session-client.js';

let t: TestServer;
let viewerToken: string;
let maintainerToken: string;

before(async () => {
  t = await startTestServer();
  viewerToken = await createUserWithToken(t.server, 'vera', 'viewer');
  maintainerToken = await createUserWithToken(t.server, 'max', 'maintainer');
});
after(() => t.close());

const anonymous = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${t.url}${path}`, { headers });

async function createProject(name: string): Promise<void> {
  const res = await t.api('/api/projects', {
    method: 'POST',
    body: JSON.stringify({
      visibility: 'internal',
      name,
      source: { kind: 'builtin' },
    }),
  });
  const body = await res.text();
  assert.equal(res.status, 201, body);
  const { id } = JSON.parse(body) as { id: string };
  await t.server.ctx.db
    .insertInto('runs')
    .values(runRow({ project_id: id, number: 1, status: 'failed' }))
    .execute();
}

/** Status, body and every header but the date: what a prober could compare. */
async function snapshot(res: Response) {
  const headers = [...res.headers.entries()].filter(([name]) => name !== 'date');
  return { status: res.status, headers, body: await res.text() };
}

describe('badges of private projects', () => {
  test('new projects are private; their badge is the 404 of an unknown project', async () => {
    await createProject('hidden-app');
    const project = (await (await t.api('/api/projects/hidden-app')).json()) as { publicBadge: boolean };
    assert.equal(project.publicBadge, false);

    const hidden = await snapshot(await anonymous('/badge/hidden-app.svg'));
    assert.equal(hidden.status, 404);
    assert.doesNotMatch(hidden.body, /failed|svg/);
    // A wrong token (or a revoked one) is no better than none.
    const wrongToken = await snapshot(
      await anonymous('/badge/hidden-app.svg', { authorization: 'Bearer slp_wrong' }),
    );
    assert.deepEqual(wrongToken, hidden);

    // The same URL once the project is really gone: byte for byte the same answer.
    assert.equal((await t.api('/api/projects/hidden-app', { method: 'DELETE' })).status, 204);
    const unknown = await snapshot(await anonymous('/badge/hidden-app.svg'));
    assert.deepEqual(hidden, unknown);
  });

  test('signed-in users see the badge of a private project: API token and session cookie', async () => {
    await createProject('team-app');
    const byToken = await withToken(t, viewerToken, '/badge/team-app.svg');
    assert.equal(byToken.status, 200);
    assert.match(await byToken.text(), /aria-label="slipway: failed"/);

    await createUser(t, 'carla', 'a-long-password-1', 'viewer');
    const session = await signIn(t, 'carla', 'a-long-password-1');
    const byCookie = await session.fetch('/badge/team-app.svg');
    assert.equal(byCookie.status, 200);
    assert.match(await byCookie.text(), /aria-label="slipway: failed"/);
    // Signed in or not, an unknown project stays a 404.
    assert.equal((await session.fetch('/badge/no-such-app.svg')).status, 404);
  });

  test('a maintainer turns the public badge on and off; a viewer may not', async () => {
    await createProject('open-app');
    const patch = (token: string, publicBadge: unknown) =>
      withToken(t, token, '/api/projects/open-app', {
        method: 'PATCH',
        body: JSON.stringify({ publicBadge }),
      });

    assert.equal((await patch(viewerToken, true)).status, 403);
    assert.equal((await anonymous('/badge/open-app.svg')).status, 404);

    const bad = await patch(maintainerToken, 'yes');
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /body\.publicBadge/);

    const on = await patch(maintainerToken, true);
    assert.equal(on.status, 200);
    assert.equal(((await on.json()) as { publicBadge: boolean }).publicBadge, true);
    const open = await anonymous('/badge/open-app.svg');
    assert.equal(open.status, 200);
    assert.match(await open.text(), /aria-label="slipway: failed"/);
    const listed = (await (await t.api('/api/projects')).json()) as { name: string; publicBadge: boolean }[];
    assert.equal(listed.find((p) => p.name === 'open-app')?.publicBadge, true);

    assert.equal((await patch(maintainerToken, false)).status, 200);
    assert.equal((await anonymous('/badge/open-app.svg')).status, 404);
  });
});
