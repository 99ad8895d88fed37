/**
 * Live streams re-check their reader (security rule 9): a log or project-event stream opened
 * with a credential ends once that credential no longer stands — token revoked, session signed
 * out, user deleted — or the project is deleted. Streams of credentials that still stand keep
 * flowing. Waits are bounded (a stream that never ends fails the test); nothing asserts speed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { STREAM_ACCESS_RECHECK_MS } from '../../src/server/http/stream-access.js';
import { jobRow, projectRow, runRow } from '../support/rows.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { createUser, signIn, withToken } from '../support/session-client.js';

/** Far longer than a re-check interval; only reached when a stream is never ended. */
const BOUND_MS = STREAM_ACCESS_RECHECK_MS * 6;

let t: TestServer;

before(async () => {
  t = await startTestServer();
});
after(() => t.close());

/** A project with one running job (so its log stream would stay open forever on its own). */
async function runningJob(): Promise<{ project: string; logStream: string; events: string }> {
  const project = projectRow();
  const run = runRow({ project_id: project.id, number: 1, status: 'running' });
  const db = t.server.ctx.db;
  await db.insertInto('projects').values(project).execute();
  await db.insertInto('runs').values(run).execute();
  await db
    .insertInto('jobs')
    .values(jobRow({ run_id: run.id, name: 'build', stage: 'test', status: 'running' }))
    .execute();
  return {
    project: project.name,
    logStream: `/api/projects/${project.name}/runs/1/jobs/build/logs/stream`,
    events: `/api/projects/${project.name}/events`,
  };
}

interface OpenStream {
  /** Resolves with everything received once the server ends the stream. */
  ended: Promise<string>;
  isOpen: () => boolean;
  cancel: () => Promise<void>;
}

/** Opens an SSE response and reads it in the background until the server ends it. */
async function openStream(res: Response): Promise<OpenStream> {
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  let open = true;
  const ended = (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
    } catch {
      // a reset connection is an end too
    }
    open = false;
    return text;
  })();
  return { ended, isOpen: () => open, cancel: () => reader.cancel().catch(() => undefined) };
}

/** The stream's end, or a failure once BOUND_MS passed without one. */
async function endOf(stream: OpenStream, what: string): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: stream still open after ${BOUND_MS} ms`)), BOUND_MS);
  });
  try {
    return await Promise.race([stream.ended, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function newToken(session: {
  fetch: (p: string, i?: RequestInit & { csrf?: boolean }) => Promise<Response>;
}) {
  const res = await session.fetch('/api/tokens', {
    method: 'POST',
    csrf: true,
    body: JSON.stringify({ name: 'stream' }),
  });
  assert.equal(res.status, 201);
  return (await res.json()) as { id: string; token: string };
}

describe('open streams end when access ends', { timeout: BOUND_MS * 4 }, () => {
  test('a log stream ends after its token is revoked through the API; another token’s keeps flowing', async () => {
    const job = await runningJob();
    await createUser(t, 'rita', 'a-long-password-1', 'viewer');
    const session = await signIn(t, 'rita', 'a-long-password-1');
    const doomed = await newToken(session);
    const kept = await newToken(session);

    const doomedStream = await openStream(await withToken(t, doomed.token, job.logStream));
    const keptStream = await openStream(await withToken(t, kept.token, job.logStream));

    const revoke = await session.fetch(`/api/tokens/${doomed.id}`, { method: 'DELETE', csrf: true });
    assert.equal(revoke.status, 204);
    const text = await endOf(doomedStream, 'revoked token');
    assert.doesNotMatch(text, /event: end/, 'ended for the revocation, not because the job ended');

    // The re-check that ended one stream has run for the other too: a good token stays open.
    assert.equal(keptStream.isOpen(), true);
    // And a revoked token opens nothing new.
    assert.equal((await withToken(t, doomed.token, job.logStream)).status, 401);
    await keptStream.cancel();
  });

  test('a project event stream ends when its session signs out', async () => {
    const job = await runningJob();
    await createUser(t, 'sam', 'a-long-password-1', 'viewer');
    const session = await signIn(t, 'sam', 'a-long-password-1');
    const stream = await openStream(await session.fetch(job.events));
    assert.equal((await session.fetch('/api/session', { method: 'DELETE', csrf: true })).status, 204);
    await endOf(stream, 'signed-out session');
  });

  test('streams end when their user is deleted, and when their project is deleted', async () => {
    const job = await runningJob();
    await createUser(t, 'dora', 'a-long-password-1', 'viewer');
    const session = await signIn(t, 'dora', 'a-long-password-1');
    const { token } = await newToken(session);
    const byToken = await openStream(await withToken(t, token, job.logStream));
    const byCookie = await openStream(await session.fetch(job.events));
    assert.equal((await t.api('/api/users/dora', { method: 'DELETE' })).status, 204);
    await endOf(byToken, 'deleted user (token)');
    await endOf(byCookie, 'deleted user (session)');

    const other = await runningJob();
    const adminLog = await openStream(await t.api(other.logStream));
    const adminEvents = await openStream(await t.api(other.events));
    assert.equal((await t.api(`/api/projects/${other.project}`, { method: 'DELETE' })).status, 204);
    await endOf(adminLog, 'deleted project (log)');
    await endOf(adminEvents, 'deleted project (events)');
  });
});
