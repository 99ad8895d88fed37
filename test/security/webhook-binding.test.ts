/**
 * Webhooks against a real server and a real "forge" repository (a local bare repository fetched
 * over file://): a delivery is bound to the project's repository, annotated tags build their
 * commit, hook URLs do not reveal which projects exist, and a pull request is recorded as a pull
 * request — never as the branch its (possibly forked) head happens to be called.
 */
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { after, before, beforeEach, describe, test } from 'node:test';
import { gitflowClass } from '../../src/domain/gitflow.js';
import { recordName } from '../../src/domain/ref.js';
import { GitSourceService } from '../../src/server/git/source-service.js';
import type { RunService } from '../../src/server/services.js';
import type { Forge, ProjectRow } from '../../src/server/store/tables.js';
import { type ForkUpstream, makeForkUpstream } from '../support/fork-upstream.js';
import { insertProject, type RecordingRuns, recordingRuns, settle, silentLogger } from '../support/git.js';
import { startTestServer, type TestServer } from '../support/server.js';

const SECRET = 'webhook-secret-for-binding';
const zero = '0'.repeat(40);

type Upstream = ForkUpstream;
const makeUpstream = () => makeForkUpstream('slipway-bound-');

function signed(forge: Forge, event: string, body: string): Record<string, string> {
  const hmac = createHmac('sha256', SECRET).update(body).digest('hex');
  const base = { 'content-type': 'application/json' };
  const id = randomUUID();
  if (forge === 'github') {
    return {
      ...base,
      'x-github-event': event,
      'x-github-delivery': id,
      'x-hub-signature-256': `sha256=${hmac}`,
    };
  }
  if (forge === 'gitea') {
    return { ...base, 'x-gitea-event': event, 'x-gitea-delivery': id, 'x-gitea-signature': hmac };
  }
  return { ...base, 'x-gitlab-event': event, 'x-gitlab-event-uuid': id, 'x-gitlab-token': SECRET };
}

describe('webhook binding and records', { concurrency: false }, () => {
  let t: TestServer;
  let upstream: Upstream;
  let remoteUrl: string;
  let runs: RecordingRuns;
  let realRuns: RunService;
  const projects = new Map<Forge, ProjectRow>();

  before(async () => {
    t = await startTestServer();
    realRuns = t.server.ctx.runs;
    upstream = await makeUpstream();
    remoteUrl = `file://${upstream.bare}`;
    t.server.ctx.sources = new GitSourceService({
      dataDir: t.dataDir,
      log: silentLogger(),
      outboundAllowlist: ['file://'],
    });
    for (const forge of ['github', 'gitea', 'gitlab'] as const) {
      const name = `bound-${forge}`;
      projects.set(
        forge,
        await insertProject(t.server, { name, kind: 'remote', remoteUrl, forge, webhookSecret: SECRET }),
      );
    }
  });
  after(async () => {
    await t.close();
    await rm(upstream.bare, { recursive: true, force: true });
  });
  beforeEach(() => {
    runs = recordingRuns();
    t.server.ctx.runs = runs;
  });

  const post = (forge: Forge, event: string, payload: object, project = `bound-${forge}`) => {
    const body = JSON.stringify(payload);
    return fetch(`${t.url}/api/hooks/${project}/${forge}`, {
      method: 'POST',
      body,
      headers: signed(forge, event, body),
    });
  };
  const githubPush = (
    ref: string,
    after: string,
    repository: object | undefined,
    headCommit?: string | null,
  ) => ({
    ref,
    before: zero,
    after,
    head_commit:
      headCommit === null ? null : { id: headCommit ?? after, message: 'm', author: { name: 'P' } },
    ...(repository ? { repository } : {}),
    sender: { login: 'octocat', id: 42 },
  });
  const deliveryCount = async () =>
    Number(
      (
        await t.server.ctx.db
          .selectFrom('deliveries')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  test('a delivery about another repository, or about none, starts nothing', async () => {
    const before = await deliveryCount();
    // Signed with the project's secret, about repository B, naming a commit that the mirror
    // has (a fork's pull request head): must not become a trusted push of this project.
    const other = { id: 777, clone_url: 'https://forge.example.com/org/other.git' };
    const forged = await post('github', 'push', githubPush('refs/heads/main', upstream.forkHead, other));
    assert.equal(forged.status, 403);
    assert.match(
      ((await forged.json()) as { error: { message: string } }).error.message,
      /another repository/,
    );
    const none = await post('github', 'push', githubPush('refs/heads/main', upstream.main, undefined));
    assert.equal(none.status, 403);
    const lab = await post('gitlab', 'Push Hook', {
      ref: 'refs/heads/main',
      before: zero,
      after: upstream.forkHead,
      user_username: 'tanuki',
      project: { id: 9, git_http_url: 'https://forge.example.com/org/other.git' },
    });
    assert.equal(lab.status, 403);
    await settle();
    assert.equal(runs.calls.length, 0);
    assert.equal(await deliveryCount(), before, 'nothing recorded for a refused delivery');
  });

  test("the forge's repository id is pinned on the first matching delivery", async () => {
    const gitea = projects.get('gitea')!;
    const first = await post(
      'gitea',
      'push',
      githubPush('refs/heads/main', upstream.main, { id: 5, clone_url: remoteUrl }),
    );
    assert.equal(first.status, 202);
    await runs.waitFor(1);
    const row = await t.server.ctx.db
      .selectFrom('projects')
      .selectAll()
      .where('id', '=', gitea.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.webhook_repository_id, 'gitea:5');
    // Same URL, another repository id (deleted and re-created elsewhere): refused.
    const impostor = await post(
      'gitea',
      'push',
      githubPush('refs/heads/main', upstream.main, { id: 6, clone_url: remoteUrl }),
    );
    assert.equal(impostor.status, 403);
    // The pinned id under a new URL (a renamed repository): accepted.
    const renamed = await post(
      'gitea',
      'push',
      githubPush('refs/heads/main', upstream.main, {
        id: 5,
        clone_url: 'https://forge.example.com/org/renamed.git',
      }),
    );
    assert.equal(renamed.status, 202);
    await runs.waitFor(2);
    await settle();
    assert.equal(runs.calls.length, 2);
  });

  test('an annotated tag builds the commit, not the tag object (all forges)', async () => {
    const repo = { id: 1, clone_url: remoteUrl };
    assert.equal(
      (await post('github', 'push', githubPush('refs/tags/v2', upstream.tagObject, repo, upstream.main)))
        .status,
      202,
    );
    // No commit id in the payload: peeled in the mirror.
    assert.equal(
      (
        await post(
          'gitea',
          'push',
          githubPush('refs/tags/v2', upstream.tagObject, { id: 5, clone_url: remoteUrl }, null),
        )
      ).status,
      202,
    );
    const lab = await post('gitlab', 'Tag Push Hook', {
      ref: 'refs/tags/v2',
      before: zero,
      after: upstream.tagObject,
      checkout_sha: upstream.main,
      user_username: 'tanuki',
      project: { id: 3, git_http_url: remoteUrl },
    });
    assert.equal(lab.status, 202);
    const calls = await runs.waitFor(3);
    for (const call of calls) {
      assert.deepEqual(call.event.ref, { kind: 'tag', name: 'v2' });
      assert.equal(call.event.sha, upstream.main);
    }
  });

  test('unsigned requests answer the same for unknown and known projects', async () => {
    const body = JSON.stringify({ zen: 'hi' });
    const headers = { 'content-type': 'application/json', 'x-github-event': 'push' };
    const answers = await Promise.all(
      ['bound-github', 'no-such-project', 'bound-gitlab'].map(async (name) => {
        const response = await fetch(`${t.url}/api/hooks/${name}/github`, { method: 'POST', body, headers });
        return { status: response.status, body: await response.text() };
      }),
    );
    assert.equal(answers[0]?.status, 401);
    assert.deepEqual(answers[1], answers[0]);
    assert.deepEqual(answers[2], answers[0]);
  });

  test('a fork pull request from a branch called main is recorded under the pull request', async () => {
    t.server.ctx.runs = realRuns;
    const project = projects.get('github')!;
    await t.server.ctx.db
      .updateTable('projects')
      .set({ public_badge: 1 })
      .where('id', '=', project.id)
      .execute();
    const pr = {
      action: 'opened',
      number: 12,
      pull_request: {
        head: { ref: 'main', sha: upstream.forkHead, repo: { id: 2 } },
        base: { ref: 'main', sha: upstream.main, repo: { id: 1 } },
      },
      repository: { id: 1, clone_url: remoteUrl },
      sender: { login: 'forker', id: 99 },
    };
    assert.equal((await post('github', 'pull_request', pr)).status, 202);
    let row: { ref_kind: string; ref_name: string; record: string; untrusted: number } | undefined;
    for (let i = 0; i < 200 && !row; i += 1) {
      row = await t.server.ctx.db
        .selectFrom('runs')
        .select(['ref_kind', 'ref_name', 'record', 'untrusted'])
        .where('project_id', '=', project.id)
        .executeTakeFirst();
      if (!row) await settle(50);
    }
    assert.ok(row, 'the pull request run was created');
    assert.equal(row.ref_kind, 'pull_request');
    assert.equal(row.ref_name, 'main', 'the head branch is kept as data');
    assert.equal(row.record, `pr-12-${upstream.forkHead.slice(0, 7)}`);
    assert.equal(row.untrusted, 1);

    // Not the main branch's run: not on its badge, not under its filter, not "production".
    const badge = await fetch(`${t.url}/badge/bound-github.svg?branch=main`);
    assert.match(await badge.text(), /no runs/);
    const listed = await t.api('/api/projects/bound-github/runs?branch=main');
    assert.deepEqual(((await listed.json()) as { runs: unknown[] }).runs, []);
    const all = (await (await t.api('/api/projects/bound-github/runs')).json()) as {
      runs: { ref: { kind: string; name: string; number?: number } }[];
    };
    assert.deepEqual(all.runs[0]?.ref, { kind: 'pull_request', name: 'main', number: 12 });
    const ref = { kind: 'pull_request' as const, name: 'main', number: 12 };
    assert.equal(gitflowClass(ref), null);
    assert.equal(recordName(ref, upstream.forkHead), `pr-12-${upstream.forkHead.slice(0, 7)}`);
  });
});
