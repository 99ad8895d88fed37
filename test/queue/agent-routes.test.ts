/**
 * The agent protocol and agent administration over HTTP, on a real server: agent tokens,
 * protocol version, lease ownership, the long poll (and a client that goes away), revocation,
 * and lease recovery when the server starts.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { createServer } from '../../src/server/create-server.js';
import {
  createUserWithToken,
  startTestServer,
  type TestServer,
  testServerConfig,
} from '../support/server.js';
import { seedProject, seedRun } from './queue-fixture.js';
import { spyRunState } from './spy-run-state.js';

let t: TestServer;

before(async () => {
  t = await startTestServer();
});
after(async () => {
  await t.close();
});

async function newAgent(name = `a-${randomUUID().slice(0, 8)}`): Promise<{ id: string; token: string }> {
  const res = await t.api('/api/agents', { method: 'POST', body: JSON.stringify({ name }) });
  assert.equal(res.status, 201);
  return (await res.json()) as { id: string; token: string };
}

/** A protocol call as an agent makes it. */
function agentCall(token: string, path: string, body?: unknown, init: RequestInit = {}): Promise<Response> {
  return fetch(`${t.url}/api/agent${path}`, {
    method: body === undefined && !init.method ? 'GET' : 'POST',
    ...init,
    headers: {
      authorization: `Bearer ${token}`,
      'x-slipway-protocol': '1',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.headers as Record<string, string>),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

const lease = (token: string, waitMs = 0) => agentCall(token, '/lease', { waitMs });

describe('agent administration', () => {
  test('an admin registers an agent and sees its token once', async () => {
    const name = `builder-${randomUUID().slice(0, 6)}`;
    const created = await newAgent(name);
    assert.match(created.token, /^sla_[A-Za-z0-9_-]{40,}$/);
    const list = (await (await t.api('/api/agents')).json()) as {
      id: string;
      name: string;
      leases: unknown[];
    }[];
    const mine = list.find((a) => a.id === created.id);
    assert.deepEqual({ name: mine?.name, leases: mine?.leases }, { name, leases: [] });
    assert.ok(!JSON.stringify(list).includes(created.token), 'the token is never listed');
    const again = await t.api('/api/agents', { method: 'POST', body: JSON.stringify({ name }) });
    assert.equal(again.status, 409);
  });

  test('only admins manage agents', async () => {
    const viewer = await createUserWithToken(t.server, `v-${randomUUID().slice(0, 6)}`, 'maintainer');
    const asViewer = { authorization: `Bearer ${viewer}` };
    assert.equal((await t.api('/api/agents', { headers: asViewer })).status, 403);
    const post = await t.api('/api/agents', { method: 'POST', body: '{"name":"x"}', headers: asViewer });
    assert.equal(post.status, 403);
    assert.equal((await fetch(`${t.url}/api/agents`)).status, 401);
    const bad = await t.api('/api/agents', { method: 'POST', body: JSON.stringify({ name: '../etc' }) });
    assert.equal(bad.status, 400);
  });
});

describe('agent protocol', () => {
  test('refuses a request of another protocol version, or none, clearly', async () => {
    const { token } = await newAgent();
    const res = await agentCall(token, '/lease', { waitMs: 0 }, { headers: { 'x-slipway-protocol': '2' } });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { error: { message: string } };
    assert.match(body.error.message, /agent protocol 1; the request says "2" \(send X-Slipway-Protocol: 1/);
    const none = await fetch(`${t.url}/api/agent/lease`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{"waitMs":0}',
    });
    assert.equal(none.status, 400);
    assert.match(
      ((await none.json()) as { error: { message: string } }).error.message,
      /the request says nothing/,
    );
  });

  test('refuses unknown tokens and user tokens', async () => {
    assert.equal((await lease('sla_not-a-real-token')).status, 401);
    assert.equal((await lease(t.adminToken)).status, 401, 'a user API token is not an agent token');
    const anonymous = await fetch(`${t.url}/api/agent/lease`, {
      method: 'POST',
      headers: { 'x-slipway-protocol': '1', 'content-type': 'application/json' },
      body: '{"waitMs":0}',
    });
    assert.equal(anonymous.status, 401);
  });

  test('answers 204 after the wait when there is nothing to do', async () => {
    const { token } = await newAgent();
    const started = performance.now();
    const res = await lease(token, 300);
    assert.equal(res.status, 204);
    assert.ok(performance.now() - started >= 250);
  });

  test('a lease and its calls, checked against the agent holding it', async () => {
    const project = await seedProject(t.server.ctx);
    const run = await seedRun(t.server.ctx, project);
    const owner = await newAgent();
    const other = await newAgent();
    t.server.ctx.sources.archive = async () => Readable.from([Buffer.from('the tar bytes')]);
    // The stub is the whole source: no git checkout (`clone:`) is made from a repository.
    t.server.ctx.sources.checkout = undefined;

    const res = await lease(owner.token, 2000);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { leaseId: string; runId: string; plan: unknown };
    assert.equal(body.runId, run.runId);
    assert.deepEqual(body.plan, run.plan);
    const path = `/leases/${body.leaseId}`;

    assert.deepEqual(await (await agentCall(owner.token, `${path}/heartbeat`, {})).json(), { cancel: false });
    for (const [suffix, payload] of [
      ['/heartbeat', {}],
      ['/logs', { job: 'unit', lines: [] }],
      ['/finish', { status: 'succeeded', startedAt: 1, finishedAt: 2, error: null }],
    ] as const) {
      assert.equal((await agentCall(other.token, `${path}${suffix}`, payload)).status, 404, suffix);
    }
    assert.equal((await agentCall(other.token, `${path}/source.tar`)).status, 404);

    const source = await agentCall(owner.token, `${path}/source.tar`);
    assert.equal(source.status, 200);
    assert.equal(source.headers.get('content-type'), 'application/x-tar');
    assert.equal(await source.text(), 'the tar bytes');

    const line = { n: 1, t: Date.now(), stream: 'stdout', text: 'hello from the agent' };
    const logs = await agentCall(owner.token, `${path}/logs`, { job: 'unit', lines: [line] });
    assert.deepEqual(await logs.json(), { cancel: false });
    assert.deepEqual(
      (await t.server.ctx.logs.read(run.runId, 'unit', 0, 10)).map((l) => l.text),
      ['hello from the agent'],
    );
    const badBatch = await agentCall(owner.token, `${path}/logs`, { job: 'unit', lines: [{ n: 0 }] });
    assert.equal(badBatch.status, 400);

    const agents = (await (await t.api('/api/agents')).json()) as {
      id: string;
      leases: { runId: string }[];
    }[];
    assert.deepEqual(
      agents.find((a) => a.id === owner.id)?.leases.map((l) => l.runId),
      [run.runId],
    );

    const finish = await agentCall(owner.token, `${path}/finish`, {
      status: 'succeeded',
      startedAt: 1,
      finishedAt: 2,
      error: null,
    });
    assert.equal(finish.status, 204);
    assert.equal((await agentCall(owner.token, `${path}/heartbeat`, {})).status, 404);
    const row = await t.server.ctx.db
      .selectFrom('queue')
      .select('status')
      .where('id', '=', run.executionId)
      .executeTakeFirstOrThrow();
    assert.equal(row.status, 'done');
  });

  test('a long poll whose client went away claims nothing', async () => {
    const { token } = await newAgent();
    const abort = new AbortController();
    const polling = agentCall(token, '/lease', { waitMs: 20_000 }, { signal: abort.signal }).catch(
      () => null,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    abort.abort();
    await polling;
    await new Promise((resolve) => setTimeout(resolve, 100));
    const project = await seedProject(t.server.ctx);
    const run = await seedRun(t.server.ctx, project);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const row = await t.server.ctx.db
      .selectFrom('queue')
      .select('status')
      .where('id', '=', run.executionId)
      .executeTakeFirstOrThrow();
    assert.equal(row.status, 'queued');
  });

  test('revoking an agent refuses its token and ends its runs at once', async () => {
    const calls = spyRunState(t.server.ctx.runState);
    const project = await seedProject(t.server.ctx);
    const run = await seedRun(t.server.ctx, project);
    const agent = await newAgent(`to-revoke-${randomUUID().slice(0, 4)}`);
    let leased: { leaseId: string; runId: string } | null = null;
    // Other tests' runs may be queued still: lease until ours comes.
    for (let i = 0; i < 10 && leased?.runId !== run.runId; i++) {
      const res = await lease(agent.token, 1000);
      leased = res.status === 200 ? ((await res.json()) as { leaseId: string; runId: string }) : null;
    }
    assert.equal(leased?.runId, run.runId);
    assert.equal((await t.api(`/api/agents/${agent.id}`, { method: 'DELETE' })).status, 204);
    assert.equal((await lease(agent.token)).status, 401);
    assert.equal((await agentCall(agent.token, `/leases/${leased?.leaseId}/heartbeat`, {})).status, 401);
    const lost = calls.find((c) => c.method === 'failUnfinished' && c.runId === run.runId);
    assert.ok(lost && lost.method === 'failUnfinished');
    assert.match(lost.message, /^agent to-revoke-\w+ was revoked$/);
    assert.equal((await t.api(`/api/agents/${agent.id}`, { method: 'DELETE' })).status, 404);
  });
});

describe('revocation and open long polls', () => {
  test('a long poll opened before the revoke answers 401 and never gets the run; a healthy agent does', async () => {
    const revoked = await newAgent(`revoked-${randomUUID().slice(0, 4)}`);
    const healthy = await newAgent(`healthy-${randomUUID().slice(0, 4)}`);
    // Drain what earlier tests left queued, so the run below is the next one.
    while ((await lease(healthy.token, 0)).status === 200) {}
    const polling = lease(revoked.token, 20_000);
    // The poll is held open by the server before the revoke (the agent was seen polling).
    for (let i = 0; i < 100; i++) {
      const seen = await t.server.ctx.db
        .selectFrom('agents')
        .select('last_seen_at')
        .where('id', '=', revoked.id)
        .executeTakeFirstOrThrow();
      if (seen.last_seen_at !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal((await t.api(`/api/agents/${revoked.id}`, { method: 'DELETE' })).status, 204);
    const project = await seedProject(t.server.ctx, { secrets: { DEPLOY_KEY: 'for-healthy-agents-only' } });
    const run = await seedRun(t.server.ctx, project);

    const answer = await polling;
    assert.equal(answer.status, 401);
    assert.doesNotMatch(await answer.text(), /for-healthy-agents-only/);
    const given = await lease(healthy.token, 2000);
    assert.equal(given.status, 200);
    assert.equal(((await given.json()) as { runId: string }).runId, run.runId);
    const row = await t.server.ctx.db
      .selectFrom('queue')
      .select('agent_id')
      .where('id', '=', run.executionId)
      .executeTakeFirstOrThrow();
    assert.equal(row.agent_id, healthy.id);
  });
});

test('on start, the server ends leases whose agent stopped heartbeating while it was down', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'slipway-restart-'));
  const config = testServerConfig(dataDir);
  let clock = 1_700_000_000_000;
  const first = await createServer(config, { now: () => clock });
  const ctx = { db: first.ctx.db, secretBox: first.ctx.secretBox, now: () => clock };
  const project = await seedProject(ctx);
  const stale = await seedRun(ctx, project);
  const fresh = await seedRun(ctx, project);
  const waiting = await seedRun(ctx, project);
  const setLeased = (id: string, heartbeat: number) =>
    first.ctx.db
      .updateTable('queue')
      .set({
        status: 'leased',
        lease_id: randomUUID(),
        agent_id: 'gone',
        leased_at: heartbeat,
        heartbeat_at: heartbeat,
      })
      .where('id', '=', id)
      .execute();
  await setLeased(stale.executionId, clock - 10_000);
  await setLeased(fresh.executionId, clock - 1_000);
  await first.close();

  clock += 1;
  const second = await createServer(config, { now: () => clock });
  try {
    await second.listen();
    const status = async (id: string) =>
      (
        await second.ctx.db
          .selectFrom('queue')
          .select('status')
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).status;
    assert.equal(await status(stale.executionId), 'done', 'older than the timeout: ended at start');
    assert.equal(await status(fresh.executionId), 'leased', 'younger: its agent may still be running it');
    assert.equal(await status(waiting.executionId), 'queued', 'queued runs stay queued');
    const run = await second.ctx.db
      .selectFrom('runs')
      .select('status')
      .where('id', '=', stale.runId)
      .executeTakeFirstOrThrow();
    assert.equal(run.status, 'failed');
  } finally {
    await second.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
