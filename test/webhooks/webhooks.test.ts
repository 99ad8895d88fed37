/**
 * Forge webhooks against a real server. The "remote" is a local bare repository fetched over
 * file:// (allowed by the outbound allowlist the test gives the git source); runs are recorded
 * by a fake RunService, so each test sees exactly which runs a delivery started.
 */
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { GitSourceService } from '../../src/server/git/source-service.js';
import type { Forge, ProjectRow } from '../../src/server/store/tables.js';
import {
  git,
  insertProject,
  type RecordingRuns,
  recordingRuns,
  settle,
  silentLogger,
  workRepo,
} from '../support/git.js';
import { startTestServer, type TestServer } from '../support/server.js';

const SECRET = 'webhook-secret-for-tests';
const MAX_BYTES = 8 * 1024;

interface Upstream {
  bare: string;
  main: string;
  feature: string;
  /** A commit that exists only under refs/pull/7/head (as a fork's PR head does). */
  forkHead: string;
}

/** A bare "forge" repository: main, feature/x, tag v1, and a PR head from a fork. */
async function makeUpstream(): Promise<Upstream> {
  const bare = await mkdtemp(join(tmpdir(), 'slipway-upstream-'));
  await git(bare, ['init', '-q', '--bare', '--initial-branch=main']);
  const work = await workRepo();
  try {
    const main = await work.commit({ '.slipway.yml': 'version: 1\n' }, 'main commit');
    await work.git('checkout', '-q', '-b', 'feature/x');
    const feature = await work.commit({ 'feature.txt': 'x' }, 'feature commit');
    await work.git('checkout', '-q', '-b', 'fork-work', 'main');
    const forkHead = await work.commit({ 'evil.sh': 'curl evil' }, 'fork commit');
    await work.git('tag', 'v1', main);
    await work.git('push', '-q', bare, 'main', 'feature/x', 'v1', 'fork-work:refs/pull/7/head');
    return { bare, main, feature, forkHead };
  } finally {
    await work.cleanup();
  }
}

const zero = '0'.repeat(40);
/** The projects' remote URL: payloads name it as their repository's clone URL. */
let remoteUrl = '';

function githubPush(ref: string, before: string, afterSha: string) {
  return {
    ref,
    before,
    after: afterSha,
    deleted: /^0+$/.test(afterSha),
    head_commit: {
      id: afterSha,
      message: 'from payload',
      timestamp: '2024-01-01T00:00:00Z',
      author: { name: 'P' },
    },
    repository: { id: 1, full_name: 'org/repo', clone_url: remoteUrl },
    sender: { login: 'octocat', id: 42 },
  };
}

function gitlabPush(ref: string, before: string, afterSha: string) {
  return {
    object_kind: ref.startsWith('refs/tags/') ? 'tag_push' : 'push',
    ref,
    before,
    after: afterSha,
    user_username: 'tanuki',
    project_id: 5,
    project: { id: 5, git_http_url: remoteUrl },
    commits: [
      { id: afterSha, message: 'from payload', timestamp: '2024-01-01T00:00:00Z', author: { name: 'P' } },
    ],
  };
}

function pullRequest(headSha: string, baseSha: string, headRepo: number, baseRepo = 1) {
  return {
    action: 'opened',
    number: 7,
    pull_request: {
      title: '$(rm -rf /)',
      head: { ref: 'fork-work', sha: headSha, repo_id: headRepo, repo: { id: headRepo, name: 'repo' } },
      base: { ref: 'main', sha: baseSha, repo_id: baseRepo, repo: { id: baseRepo, name: 'repo' } },
    },
    repository: { id: baseRepo, clone_url: remoteUrl },
    sender: { login: 'forker', id: 99 },
  };
}

/** Headers of a correctly signed delivery of `body` for `forge`. */
function signed(
  forge: Forge,
  event: string,
  body: string,
  delivery: string = randomUUID(),
): Record<string, string> {
  const hmac = createHmac('sha256', SECRET).update(body).digest('hex');
  const base = { 'content-type': 'application/json' };
  if (forge === 'github') {
    return {
      ...base,
      'x-github-event': event,
      'x-github-delivery': delivery,
      'x-hub-signature-256': `sha256=${hmac}`,
    };
  }
  if (forge === 'gitea') {
    return { ...base, 'x-gitea-event': event, 'x-gitea-delivery': delivery, 'x-gitea-signature': hmac };
  }
  return { ...base, 'x-gitlab-event': event, 'x-gitlab-event-uuid': delivery, 'x-gitlab-token': SECRET };
}

describe('forge webhooks', { concurrency: false }, () => {
  let t: TestServer;
  let upstream: Upstream;
  let runs: RecordingRuns;
  const projects = new Map<Forge, ProjectRow>();

  before(async () => {
    t = await startTestServer({ SLIPWAY_WEBHOOK_MAX_BYTES: String(MAX_BYTES) });
    upstream = await makeUpstream();
    remoteUrl = `file://${upstream.bare}`;
    t.server.ctx.sources = new GitSourceService({
      dataDir: t.dataDir,
      log: silentLogger(),
      outboundAllowlist: ['file://'],
    });
    for (const forge of ['github', 'gitea', 'gitlab'] as const) {
      projects.set(
        forge,
        await insertProject(t.server, {
          name: `hooked-${forge}`,
          kind: 'remote',
          remoteUrl: `file://${upstream.bare}`,
          forge,
          webhookSecret: SECRET,
        }),
      );
    }
  });
  after(async () => {
    await t.close();
    await rm(upstream.bare, { recursive: true, force: true });
  });
  beforeEach(() => {
    runs = recordingRuns();
    // Routes read ctx.runs when a request arrives, so this fake is what they call.
    t.server.ctx.runs = runs;
  });

  const post = (forge: Forge, body: string, headers: Record<string, string>) =>
    fetch(`${t.url}/api/hooks/hooked-${forge}/${forge}`, { method: 'POST', body, headers });

  const cases: [Forge, string, (ref: string, b: string, a: string) => object][] = [
    ['github', 'push', githubPush],
    ['gitea', 'push', githubPush],
    ['gitlab', 'Push Hook', gitlabPush],
  ];
  for (const [forge, event, payload] of cases) {
    test(`${forge}: a signed push starts a run on the pushed ref and sha`, async () => {
      const body = JSON.stringify(payload('refs/heads/feature/x', upstream.main, upstream.feature));
      const response = await post(forge, body, signed(forge, event, body));
      assert.equal(response.status, 202, await response.clone().text());
      const [call] = await runs.waitFor(1);
      assert.ok(call);
      assert.deepEqual(call.event.ref, { kind: 'branch', name: 'feature/x' });
      assert.equal(call.event.sha, upstream.feature);
      assert.equal(call.event.kind, 'push');
      assert.equal(call.trigger, 'push');
      assert.equal(call.actor, forge === 'gitlab' ? 'tanuki' : 'octocat');
      // Commit facts come from the fetched mirror, not the payload.
      assert.equal(call.event.message, 'feature commit');
      assert.equal(call.event.author, 'Ada Tester');
      assert.deepEqual(call.event.changedFiles, ['feature.txt']);
      assert.ok(!call.untrusted);
      const { delivery } = (await response.json()) as { delivery: string };
      await settle(100);
      const row = await t.server.ctx.db
        .selectFrom('deliveries')
        .selectAll()
        .where('id', '=', delivery)
        .executeTakeFirstOrThrow();
      assert.equal(row.run_id, 'run-1');
    });

    test(`${forge}: a wrong or missing signature is 401 and starts nothing`, async () => {
      const body = JSON.stringify(payload('refs/heads/main', zero, upstream.main));
      const headers = signed(forge, event, body);
      const forged = { ...headers };
      if (forge === 'github') forged['x-hub-signature-256'] = `sha256=${'0'.repeat(64)}`;
      if (forge === 'gitea') forged['x-gitea-signature'] = '0'.repeat(64);
      if (forge === 'gitlab') forged['x-gitlab-token'] = 'not-the-secret-but-same-len';
      assert.equal((await post(forge, body, forged)).status, 401);

      // Signed for different bytes.
      assert.equal((await post(forge, `${body} `, headers)).status, forge === 'gitlab' ? 202 : 401);
      if (forge === 'gitlab') await runs.waitFor(1);

      const unsigned = { ...headers };
      delete unsigned['x-hub-signature-256'];
      delete unsigned['x-gitea-signature'];
      delete unsigned['x-gitlab-token'];
      assert.equal((await post(forge, body, unsigned)).status, 401);
      await settle();
      assert.equal(runs.calls.length, forge === 'gitlab' ? 1 : 0);
    });

    test(`${forge}: a signature of another length is 401, not a crash`, async () => {
      const body = JSON.stringify(payload('refs/heads/main', zero, upstream.main));
      const headers = signed(forge, event, body);
      for (const bad of ['x', 'sha256=abc', `sha256=${'a'.repeat(200)}`, '']) {
        const h = { ...headers };
        if (forge === 'github') h['x-hub-signature-256'] = bad;
        if (forge === 'gitea') h['x-gitea-signature'] = bad;
        if (forge === 'gitlab') h['x-gitlab-token'] = bad;
        const response = await post(forge, body, h);
        assert.equal(response.status, 401, `signature ${JSON.stringify(bad)}`);
      }
      // The server is still up and answering.
      assert.equal((await post(forge, body, headers)).status, 202);
      await runs.waitFor(1);
    });
  }

  test('a tag push runs as a tag', async () => {
    const body = JSON.stringify(githubPush('refs/tags/v1', zero, upstream.main));
    assert.equal((await post('github', body, signed('github', 'push', body))).status, 202);
    const [call] = await runs.waitFor(1);
    assert.deepEqual(call?.event.ref, { kind: 'tag', name: 'v1' });
    assert.equal(call?.trigger, 'tag');
    assert.equal(call?.event.kind, 'tag');
    assert.equal(call?.event.sha, upstream.main);
  });

  test('a duplicate delivery answers 200 {duplicate: true} and starts one run', async () => {
    const body = JSON.stringify(githubPush('refs/heads/main', zero, upstream.main));
    const headers = signed('github', 'push', body, 'delivery-dup-1');
    const [first, second] = await Promise.all([post('github', body, headers), post('github', body, headers)]);
    const statuses = [first.status, second.status].sort();
    assert.deepEqual(statuses, [200, 202]);
    const duplicate = first.status === 200 ? first : second;
    assert.deepEqual(await duplicate.json(), { duplicate: true });
    const third = await post('github', body, headers);
    assert.equal(third.status, 200);
    await runs.waitFor(1);
    await settle();
    assert.equal(runs.calls.length, 1);
  });

  test('deleting a branch starts nothing', async () => {
    const body = JSON.stringify(githubPush('refs/heads/feature/x', upstream.feature, zero));
    const response = await post('github', body, signed('github', 'push', body));
    assert.equal(response.status, 202);
    assert.deepEqual(await response.json(), { ignored: 'deletion' });
    const lab = JSON.stringify(gitlabPush('refs/heads/feature/x', upstream.feature, zero));
    assert.equal((await post('gitlab', lab, signed('gitlab', 'Push Hook', lab))).status, 202);
    await settle();
    assert.equal(runs.calls.length, 0);
  });

  test('fork pull requests are untrusted (by repository id); same-repo ones are not', async () => {
    const fork = JSON.stringify(pullRequest(upstream.forkHead, upstream.main, 2));
    assert.equal((await post('github', fork, signed('github', 'pull_request', fork))).status, 202);
    const [call] = await runs.waitFor(1);
    assert.equal(call?.trigger, 'pull_request');
    assert.equal(call?.event.kind, 'pull_request');
    assert.deepEqual(call?.event.ref, { kind: 'pull_request', name: 'fork-work', number: 7 });
    assert.equal(call?.event.sha, upstream.forkHead);
    assert.equal(call?.untrusted, true);
    assert.equal(call?.actor, 'forker');
    // The fork's commit was fetched from the forge's pull request refs.
    assert.equal(call?.event.message, 'fork commit');

    const giteaFork = JSON.stringify({
      ...pullRequest(upstream.forkHead, upstream.main, 3),
      action: 'synchronized',
    });
    assert.equal((await post('gitea', giteaFork, signed('gitea', 'pull_request', giteaFork))).status, 202);
    await runs.waitFor(2);
    assert.equal(runs.calls[1]?.untrusted, true);

    const mr = JSON.stringify({
      object_kind: 'merge_request',
      user: { username: 'mr-author' },
      project: { id: 5, git_http_url: remoteUrl },
      object_attributes: {
        iid: 3,
        action: 'open',
        source_branch: 'fork-work',
        target_branch: 'main',
        source_project_id: 9,
        target_project_id: 5,
        last_commit: { id: upstream.forkHead, message: 'fork commit', author: { name: 'F' } },
      },
    });
    assert.equal((await post('gitlab', mr, signed('gitlab', 'Merge Request Hook', mr))).status, 202);
    await runs.waitFor(3);
    assert.equal(runs.calls[2]?.untrusted, true);
    assert.equal(runs.calls[2]?.actor, 'mr-author');

    // Same repository id — even if the head repo were named like a fork — is trusted.
    const inside = JSON.stringify({
      ...pullRequest(upstream.feature, upstream.main, 1),
      action: 'synchronize',
    });
    assert.equal((await post('github', inside, signed('github', 'pull_request', inside))).status, 202);
    await runs.waitFor(4);
    assert.equal(runs.calls[3]?.untrusted, false);

    const closed = JSON.stringify({ ...pullRequest(upstream.feature, upstream.main, 1), action: 'closed' });
    const ignored = await post('github', closed, signed('github', 'pull_request', closed));
    assert.equal(ignored.status, 202);
    assert.deepEqual(await ignored.json(), { ignored: 'pull_request closed' });
  });

  test('a body over the limit is 413', async () => {
    const body = JSON.stringify({
      ...githubPush('refs/heads/main', zero, upstream.main),
      pad: 'x'.repeat(MAX_BYTES),
    });
    const response = await post('github', body, signed('github', 'push', body));
    assert.equal(response.status, 413);
    await settle();
    assert.equal(runs.calls.length, 0);
  });

  test('malformed JSON with a valid signature is a 400 that says so', async () => {
    const body = '{"ref": "refs/heads/main", ';
    const response = await post('github', body, signed('github', 'push', body));
    assert.equal(response.status, 400);
    const error = ((await response.json()) as { error: { message: string } }).error;
    assert.match(error.message, /not valid JSON/);

    const missing = JSON.stringify({ ref: 'refs/heads/main' });
    const shape = await post('github', missing, signed('github', 'push', missing));
    assert.equal(shape.status, 400);
    assert.match(((await shape.json()) as { error: { message: string } }).error.message, /body\.before/);
    await settle();
    assert.equal(runs.calls.length, 0);
  });

  test('unknown events are accepted and ignored; unknown projects and forges answer like a bad signature', async () => {
    const body = JSON.stringify({ zen: 'Keep it logically awesome.' });
    const ping = await post('github', body, signed('github', 'ping', body));
    assert.equal(ping.status, 202);
    assert.deepEqual(await ping.json(), { ignored: 'event ping is not handled' });

    const nowhere = await fetch(`${t.url}/api/hooks/no-such-project/github`, {
      method: 'POST',
      body,
      headers: signed('github', 'push', body),
    });
    assert.equal(nowhere.status, 401);
    // A GitHub project does not take Gitea deliveries.
    const wrongForge = await fetch(`${t.url}/api/hooks/hooked-github/gitea`, {
      method: 'POST',
      body,
      headers: signed('gitea', 'push', body),
    });
    assert.equal(wrongForge.status, 401);
    await settle();
    assert.equal(runs.calls.length, 0);
  });
});
