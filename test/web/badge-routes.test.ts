/**
 * README badges on a real server: latest run of a branch (default branch when omitted), no
 * sign-in for a project with `publicBadge` on, only the status word, 404 for unknown projects,
 * nothing from the database unescaped. Private projects' badges: test/security/badges.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { badgeSvg } from '../../src/server/http/routes/badge-routes.js';
import { projectRow, runRow } from '../support/rows.js';
import { startTestServer, type TestServer } from '../support/server.js';

let t: TestServer;
const project = projectRow({ name: 'badge.demo', default_branch: 'trunk', public_badge: 1 });

before(async () => {
  t = await startTestServer();
  const db = t.server.ctx.db;
  await db.insertInto('projects').values(project).execute();
  await db
    .insertInto('runs')
    .values([
      runRow({ project_id: project.id, number: 1, ref_name: 'trunk', status: 'failed' }),
      runRow({
        project_id: project.id,
        number: 2,
        ref_name: 'trunk',
        status: 'succeeded',
        message: 'SECRET-MSG',
      }),
      runRow({ project_id: project.id, number: 3, ref_name: 'feature/x', status: 'running' }),
      runRow({ project_id: project.id, number: 4, ref_kind: 'tag', ref_name: 'trunk', status: 'failed' }),
    ])
    .execute();
});
after(() => t.close());

/** No credentials at all: a README image cannot send any. */
const anonymous = (path: string) => fetch(`${t.url}${path}`);

describe('GET /badge/:project.svg', () => {
  test('the default branch by default: its latest run, tags ignored', async () => {
    const res = await anonymous('/badge/badge.demo.svg');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/svg+xml; charset=utf-8');
    assert.match(res.headers.get('cache-control') ?? '', /no-cache/);
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    const svg = await res.text();
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.match(svg, /aria-label="slipway: succeeded"/);
    assert.match(svg, /fill="#2e8540"/);
    // Only name and status: nothing else of the run leaks.
    assert.doesNotMatch(svg, /SECRET-MSG|alice|ffffffff/);
  });

  test('?branch picks another branch; a branch without runs says so', async () => {
    const feature = await (await anonymous('/badge/badge.demo.svg?branch=feature/x')).text();
    assert.match(feature, /aria-label="slipway: running"/);
    const none = await (await anonymous('/badge/badge.demo.svg?branch=nothing-here')).text();
    assert.match(none, /aria-label="slipway: no runs"/);
    assert.match(none, /fill="#9f9f9f"/);
  });

  test('unknown project → 404; bad branch or path → 400 naming the field', async () => {
    const missing = await anonymous('/badge/nope.svg');
    assert.equal(missing.status, 404);
    assert.match(await missing.text(), /project \\"nope\\" not found/);
    const badBranch = await anonymous('/badge/badge.demo.svg?branch=a..b');
    assert.equal(badBranch.status, 400);
    assert.match(await badBranch.text(), /query\.branch/);
    const notSvg = await anonymous('/badge/badge.demo.png');
    assert.equal(notSvg.status, 400);
    assert.match(await notSvg.text(), /params\.file/);
  });

  test('everything put into the SVG is escaped', () => {
    const svg = badgeSvg('<a&"b\'>', '</text><script>alert(1)</script>', 'red" onload="x');
    assert.doesNotMatch(svg, /<script|<a&|onload/);
    assert.match(svg, /&#60;&#47;|&#60;\/text&#62;/);
    assert.match(svg, /fill="#9f9f9f"/);
  });
});
