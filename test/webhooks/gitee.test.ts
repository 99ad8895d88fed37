/**
 * Gitee webhooks against a real server and a real "forge" repository (a local bare repository
 * fetched over file://), with payloads shaped after Gitee's documentation (fixtures/gitee/).
 * Both ways of pasting the secret into Gitee work (password, signing key); a wrong, missing or
 * stale token answers exactly like an unknown project; a retry starts no second run; a merge
 * request from a fork runs untrusted under `pr-<n>`; a delivery about another repository starts
 * nothing.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { after, before, beforeEach, describe, test } from 'node:test';
import { recordName } from '../../src/domain/ref.js';
import { GitSourceService } from '../../src/server/git/source-service.js';
import type { ProjectRow } from '../../src/server/store/tables.js';
import { type ForkUpstream, makeForkUpstream } from '../support/fork-upstream.js';
import { insertProject, type RecordingRuns, recordingRuns, settle, silentLogger } from '../support/git.js';
import { startTestServer, type TestServer } from '../support/server.js';

const SECRET = 'gitee-webhook-secret-0123456789';
const HOUR = 60 * 60 * 1000;

type Upstream = ForkUpstream;
const makeUpstream = () => makeForkUpstream('slipway-gitee-');

type Payload = Record<string, unknown>;

/** A fixture with its `{{…}}` placeholders filled in. */
async function fixture(name: string, values: Record<string, string>): Promise<Payload> {
  let text = await readFile(new URL(`./fixtures/gitee/${name}.json`, import.meta.url), 'utf8');
  for (const [key, value] of Object.entries(values)) text = text.replaceAll(`{{${key}}}`, value);
  assert.doesNotMatch(text, /\{\{/, `every placeholder of ${name} is filled`);
  return JSON.parse(text) as Payload;
}

type Auth =
  | { mode: 'password'; token?: string }
  | { mode: 'sign'; timestamp?: string; secret?: string }
  | { mode: 'none' };

const giteeSign = (secret: string, timestamp: string) =>
  createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');

/** Headers and body as Gitee sends them: the token and timestamp are repeated in the body. */
function giteeRequest(event: string, payload: Payload, auth: Auth) {
  const timestamp =
    auth.mode === 'sign' && auth.timestamp !== undefined ? auth.timestamp : String(Date.now());
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'git-oschina-hook',
    'x-gitee-event': event,
    'x-gitee-timestamp': timestamp,
  };
  const body = { ...payload, timestamp, sign: '', password: '' };
  if (auth.mode === 'password') {
    headers['x-gitee-token'] = auth.token ?? SECRET;
    body.password = headers['x-gitee-token'];
  } else if (auth.mode === 'sign') {
    headers['x-gitee-token'] = giteeSign(auth.secret ?? SECRET, timestamp);
    body.sign = headers['x-gitee-token'];
  }
  return { headers, body: JSON.stringify(body) };
}

describe('Gitee webhooks', { concurrency: false }, () => {
  let t: TestServer;
  let upstream: Upstream;
  let remoteUrl: string;
  let runs: RecordingRuns;
  let project: ProjectRow;
  let fills: Record<string, string>;

  before(async () => {
    t = await startTestServer();
    upstream = await makeUpstream();
    remoteUrl = `file://${upstream.bare}`;
    t.server.ctx.sources = new GitSourceService({
      dataDir: t.dataDir,
      log: silentLogger(),
      outboundAllowlist: ['file://'],
    });
    project = await insertProject(t.server, {
      name: 'on-gitee',
      kind: 'remote',
      remoteUrl,
      forge: 'gitee',
      webhookSecret: SECRET,
    });
    fills = {
      REMOTE: remoteUrl,
      BEFORE: upstream.previous,
      AFTER: upstream.main,
      TAG_OBJECT: upstream.tagObject,
      BASE_SHA: upstream.main,
      HEAD_SHA: upstream.forkHead,
      HEAD_REF: 'main',
    };
  });
  after(async () => {
    await t.close();
    await rm(upstream.bare, { recursive: true, force: true });
  });
  beforeEach(() => {
    runs = recordingRuns();
    t.server.ctx.runs = runs;
  });

  /** Each test's payloads are its own event (another hook id), so no test sees another's as a retry. */
  let hookId = 1000;
  const push = async (extra: Payload = {}): Promise<Payload> => ({
    ...(await fixture('push', fills)),
    hook_id: ++hookId,
    ...extra,
  });
  const send = (event: string, payload: Payload, auth: Auth, name = 'on-gitee') => {
    const { headers, body } = giteeRequest(event, payload, auth);
    return fetch(`${t.url}/api/hooks/${name}/gitee`, { method: 'POST', body, headers });
  };
  const deliveryCount = async () =>
    Number(
      (
        await t.server.ctx.db
          .selectFrom('deliveries')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('project_id', '=', project.id)
          .executeTakeFirstOrThrow()
      ).n,
    );

  test('a push signed with the password starts a run on the branch and pins the repository', async () => {
    const response = await send('Push Hook', await push(), { mode: 'password' });
    assert.equal(response.status, 202);
    assert.match(((await response.json()) as { delivery: string }).delivery, /^gitee:content-[0-9a-f]{64}$/);
    const [call] = await runs.waitFor(1);
    assert.equal(call?.trigger, 'push');
    assert.deepEqual(call?.event.ref, { kind: 'branch', name: 'main' });
    assert.equal(call?.event.sha, upstream.main);
    assert.equal(call?.actor, 'lanting');
    assert.equal(call?.untrusted, false);
    const row = await t.server.ctx.db
      .selectFrom('projects')
      .select('webhook_repository_id')
      .where('id', '=', project.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.webhook_repository_id, 'gitee:4242');
  });

  test('a push signed with the signing key (timestamp signature) starts a run', async () => {
    const response = await send('Push Hook', await push(), { mode: 'sign' });
    assert.equal(response.status, 202);
    const [call] = await runs.waitFor(1);
    assert.equal(call?.event.sha, upstream.main);
  });

  test('an annotated tag push builds the commit the tag points at', async () => {
    const tag = { ...(await fixture('tag-push', fills)), hook_id: ++hookId };
    assert.equal((await send('Tag Push Hook', tag, { mode: 'sign' })).status, 202);
    // Without the commit id in the payload, the tag object is peeled in the mirror.
    const bare = { ...tag, hook_id: ++hookId, head_commit: null };
    assert.equal((await send('Tag Push Hook', bare, { mode: 'password' })).status, 202);
    const calls = await runs.waitFor(2);
    for (const call of calls) {
      assert.equal(call.trigger, 'tag');
      assert.deepEqual(call.event.ref, { kind: 'tag', name: 'v2' });
      assert.equal(call.event.sha, upstream.main);
    }
  });

  test('a merge request from a fork runs untrusted, recorded under pr-<n>, never as its branch', async () => {
    const mr = { ...(await fixture('merge-request', fills)), hook_id: ++hookId };
    const response = await send('Merge Request Hook', mr, { mode: 'sign' });
    assert.equal(response.status, 202);
    const [call] = await runs.waitFor(1);
    assert.equal(call?.trigger, 'pull_request');
    assert.deepEqual(call?.event.ref, { kind: 'pull_request', name: 'main', number: 12 });
    assert.equal(call?.event.sha, upstream.forkHead);
    // Read from git, not from the payload: the mirror fetched the fork head (refs/pull/12/head).
    assert.equal(call?.event.message, 'fork commit');
    assert.equal(call?.untrusted, true);
    assert.equal(recordName(call!.event.ref, upstream.forkHead), `pr-12-${upstream.forkHead.slice(0, 7)}`);

    // A trusted project gives its forks' merge requests secrets (an admin's decision).
    await t.server.ctx.db.updateTable('projects').set({ trusted: 1 }).where('id', '=', project.id).execute();
    try {
      const again = { ...mr, hook_id: ++hookId };
      assert.equal((await send('Merge Request Hook', again, { mode: 'sign' })).status, 202);
      const calls = await runs.waitFor(2);
      assert.equal(calls[1]?.untrusted, false);
    } finally {
      await t.server.ctx.db
        .updateTable('projects')
        .set({ trusted: 0 })
        .where('id', '=', project.id)
        .execute();
    }
  });

  test('a merge request inside the repository is trusted; edits without new commits start nothing', async () => {
    const mr = await fixture('merge-request', { ...fills, HEAD_REF: 'feature/x' });
    const pr = mr.pull_request as { head: { repo: unknown }; base: { repo: unknown } };
    const sameRepo = {
      ...mr,
      hook_id: ++hookId,
      pull_request: { ...pr, head: { ...pr.head, repo: pr.base.repo } },
    };
    assert.equal((await send('Merge Request Hook', sameRepo, { mode: 'password' })).status, 202);
    const [call] = await runs.waitFor(1);
    assert.equal(call?.untrusted, false);
    assert.deepEqual(call?.event.ref, { kind: 'pull_request', name: 'feature/x', number: 12 });

    const moved = { ...sameRepo, hook_id: ++hookId, action: 'update', action_desc: 'source_branch_changed' };
    assert.equal((await send('Merge Request Hook', moved, { mode: 'password' })).status, 202);
    await runs.waitFor(2);
    const retitled = { ...sameRepo, hook_id: ++hookId, action: 'update', action_desc: 'edit_title' };
    const ignored = await send('Merge Request Hook', retitled, { mode: 'password' });
    assert.equal(ignored.status, 202);
    assert.deepEqual(await ignored.json(), { ignored: 'merge request update edit_title' });
    await settle();
    assert.equal(runs.calls.length, 2);
  });

  test('wrong, missing or stale tokens answer exactly like an unknown project (401)', async () => {
    const payload = await push();
    const unknown = await send('Push Hook', payload, { mode: 'password' }, 'no-such-project');
    const expected = { status: unknown.status, body: await unknown.text() };
    assert.equal(expected.status, 401);
    const now = Date.now();
    const refused: [string, Auth][] = [
      ['wrong password', { mode: 'password', token: `${SECRET}x` }],
      ['empty password', { mode: 'password', token: '' }],
      ['no token at all', { mode: 'none' }],
      ['signed with another key', { mode: 'sign', secret: 'another-key' }],
      ['signature over a timestamp two hours old', { mode: 'sign', timestamp: String(now - 2 * HOUR) }],
      ['signature over a timestamp two hours ahead', { mode: 'sign', timestamp: String(now + 2 * HOUR) }],
      ['signature over a timestamp that is not a number', { mode: 'sign', timestamp: '1e12' }],
    ];
    const before = await deliveryCount();
    for (const [why, auth] of refused) {
      const response = await send('Push Hook', payload, auth);
      assert.deepEqual({ status: response.status, body: await response.text() }, expected, why);
    }
    // A signature over a timestamp without the timestamp header.
    const { headers, body } = giteeRequest('Push Hook', payload, { mode: 'sign' });
    delete headers['x-gitee-timestamp'];
    const noTimestamp = await fetch(`${t.url}/api/hooks/on-gitee/gitee`, { method: 'POST', body, headers });
    assert.deepEqual({ status: noTimestamp.status, body: await noTimestamp.text() }, expected);
    // Within the hour is fine (Gitee's clock may be a little off ours).
    const recent = await send('Push Hook', payload, { mode: 'sign', timestamp: String(now - HOUR / 2) });
    assert.equal(recent.status, 202);
    await runs.waitFor(1);
    await settle();
    assert.equal(runs.calls.length, 1);
    assert.equal(await deliveryCount(), before + 1, 'refused deliveries are not recorded');
  });

  test('a retried delivery starts one run, even with a new timestamp and signature', async () => {
    const payload = await push();
    const first = await send('Push Hook', payload, { mode: 'sign', timestamp: String(Date.now() - 5000) });
    assert.equal(first.status, 202);
    const retry = await send('Push Hook', payload, { mode: 'sign' });
    assert.equal(retry.status, 200);
    assert.deepEqual(await retry.json(), { duplicate: true });
    const samePassword = await send('Push Hook', payload, { mode: 'password' });
    assert.equal(samePassword.status, 200);
    await runs.waitFor(1);
    await settle();
    assert.equal(runs.calls.length, 1);
  });

  test('a delivery about another repository is refused and starts nothing', async () => {
    const before = await deliveryCount();
    const payload = await push();
    const other = {
      ...(payload.repository as Payload),
      id: 5151,
      full_name: 'lanting/other',
      clone_url: 'https://gitee.com/lanting/other.git',
      git_http_url: 'https://gitee.com/lanting/other.git',
    };
    const forged = await send(
      'Push Hook',
      { ...payload, repository: other, project: other },
      { mode: 'sign' },
    );
    assert.equal(forged.status, 403);
    assert.match(
      ((await forged.json()) as { error: { message: string } }).error.message,
      /another repository/,
    );
    const { repository: _r, project: _p, ...nameless } = payload;
    assert.equal((await send('Push Hook', nameless, { mode: 'sign' })).status, 403);
    await settle();
    assert.equal(runs.calls.length, 0);
    assert.equal(await deliveryCount(), before);
  });

  test('a project created through the API with forge gitee gets its Gitee hook URL', async () => {
    const res = await t.api('/api/projects', {
      method: 'POST',
      body: JSON.stringify({
        name: 'made-for-gitee',
        source: { kind: 'remote', url: 'https://gitee.com/lanting/slipway-demo.git', forge: 'gitee' },
      }),
    });
    assert.equal(res.status, 201);
    const created = (await res.json()) as { source: { forge?: string }; webhookUrl?: string };
    assert.equal(created.source.forge, 'gitee');
    assert.equal(created.webhookUrl, `${t.url}/api/hooks/made-for-gitee/gitee`);
  });

  test('a signed payload nested absurdly deep is a 400, not a crash', async () => {
    const depth = 100_000;
    const request = giteeRequest('Push Hook', await push(), { mode: 'password' });
    // Spliced in as text: JSON.stringify itself cannot write a value this deep.
    const body = request.body.replace(/^\{/, `{"deep":${'['.repeat(depth)}${']'.repeat(depth)},`);
    const response = await fetch(`${t.url}/api/hooks/on-gitee/gitee`, {
      method: 'POST',
      body,
      headers: request.headers,
    });
    assert.equal(response.status, 400);
    assert.match(((await response.json()) as { error: { message: string } }).error.message, /nested deeper/);
  });

  test("Gitee's hook test button (X-Gitee-Ping) is accepted and starts nothing", async () => {
    const { headers, body } = giteeRequest('Push Hook', await push(), { mode: 'password' });
    headers['x-gitee-ping'] = 'true';
    const ping = await fetch(`${t.url}/api/hooks/on-gitee/gitee`, { method: 'POST', body, headers });
    assert.equal(ping.status, 202);
    assert.deepEqual(await ping.json(), { ignored: 'ping' });
    await settle();
    assert.equal(runs.calls.length, 0);
  });
});
