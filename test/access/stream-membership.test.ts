/**
 * Open streams follow project access (issue #14, security rule 9): a member's log stream of a
 * private project ends once their membership is removed, and a project-event stream ends once a
 * project goes private under a non-member reading it as internal. Another member's stream keeps
 * flowing. Waits are bounded; nothing asserts speed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { STREAM_ACCESS_RECHECK_MS } from '../../src/server/http/stream-access.js';
import { jobRow, projectRow, runRow } from '../support/rows.js';
import { createUserWithToken, startTestServer, type TestServer } from '../support/server.js';

const BOUND_MS = STREAM_ACCESS_RECHECK_MS * 6;

/** Reads an SSE response in the background; `ended` resolves when the server closes it. */
function follow(res: Response): { ended: Promise<'ended'>; cancel: () => Promise<void> } {
  assert.equal(res.status, 200);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const ended = (async () => {
    for (;;) if ((await reader.read()).done) return 'ended' as const;
  })();
  return { ended, cancel: () => reader.cancel().catch(() => undefined) };
}

const within = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<'open'>((resolve) => setTimeout(() => resolve('open'), ms).unref())]);

describe('streams end when project access ends', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  it('removing a member ends their stream; a remaining member keeps reading', async () => {
    const project = projectRow({ visibility: 'private' });
    const run = runRow({ project_id: project.id, number: 1, status: 'running' });
    const db = t.server.ctx.db;
    await db.insertInto('projects').values(project).execute();
    await db.insertInto('runs').values(run).execute();
    await db
      .insertInto('jobs')
      .values(jobRow({ run_id: run.id, name: 'build', stage: 'test', status: 'running' }))
      .execute();
    const leaving = await createUserWithToken(t.server, 'leaving', 'viewer');
    const staying = await createUserWithToken(t.server, 'staying', 'viewer');
    for (const user of ['leaving', 'staying']) {
      const res = await t.api(`/api/projects/${project.name}/members/${user}`, {
        method: 'PUT',
        body: JSON.stringify({ role: 'viewer' }),
      });
      assert.equal(res.status, 201);
    }
    const path = `${t.url}/api/projects/${project.name}/runs/1/jobs/build/logs/stream`;
    const a = follow(await fetch(path, { headers: { authorization: `Bearer ${leaving}` } }));
    const b = follow(await fetch(path, { headers: { authorization: `Bearer ${staying}` } }));
    try {
      const removed = await t.api(`/api/projects/${project.name}/members/leaving`, { method: 'DELETE' });
      assert.equal(removed.status, 204);
      assert.equal(await within(a.ended, BOUND_MS), 'ended');
      assert.equal(await within(b.ended, STREAM_ACCESS_RECHECK_MS * 2), 'open');
      const again = await fetch(path, { headers: { authorization: `Bearer ${leaving}` } });
      assert.equal(again.status, 404);
      await again.body?.cancel();
    } finally {
      await a.cancel();
      await b.cancel();
    }
  });

  it('making an internal project private ends a non-member reader’s event stream', async () => {
    const project = projectRow({ visibility: 'internal' });
    await t.server.ctx.db.insertInto('projects').values(project).execute();
    const reader = await createUserWithToken(t.server, 'reader', 'viewer');
    const s = follow(
      await fetch(`${t.url}/api/projects/${project.name}/events`, {
        headers: { authorization: `Bearer ${reader}` },
      }),
    );
    try {
      const res = await t.api(`/api/projects/${project.name}/visibility`, {
        method: 'PUT',
        body: JSON.stringify({ visibility: 'private' }),
      });
      assert.equal(res.status, 200);
      assert.equal(await within(s.ended, BOUND_MS), 'ended');
    } finally {
      await s.cancel();
    }
  });
});
