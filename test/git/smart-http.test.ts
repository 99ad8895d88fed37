/**
 * Git over HTTP against a real server: real `git clone` / `git push` with a Slipway user name
 * and API token, runs started per pushed branch or tag, and the access rules.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { git, insertProject, type RecordingRuns, recordingRuns, settle, workRepo } from '../support/git.js';
import { createUserWithToken, startTestServer, type TestServer } from '../support/server.js';

const TIMEOUT = { timeout: 60_000 };

describe('git smart HTTP', { concurrency: false }, () => {
  let t: TestServer;
  let runs: RecordingRuns;
  let maintainerToken: string;
  let viewerToken: string;

  before(async () => {
    t = await startTestServer();
    maintainerToken = await createUserWithToken(t.server, 'mia', 'maintainer');
    viewerToken = await createUserWithToken(t.server, 'vic', 'viewer');
  });
  after(() => t.close());

  const remote = (user: string, token: string, project: string) =>
    `${t.url.replace('://', `://${user}:${encodeURIComponent(token)}@`)}/git/${project}.git`;

  const fresh = async (name: string) => {
    runs = recordingRuns();
    // Routes read ctx.runs at request time, so the fake is what pushes reach.
    t.server.ctx.runs = runs;
    await insertProject(t.server, { name });
  };

  test(
    'a push of two branches and a tag starts three runs with the right refs and shas',
    TIMEOUT,
    async () => {
      await fresh('app');
      const work = await workRepo();
      try {
        const first = await work.commit({ '.slipway.yml': 'version: 1\n', 'src/a.txt': 'a' }, 'first commit');
        await work.git('checkout', '-q', '-b', 'feature/login');
        const feature = await work.commit({ 'src/login.txt': 'login' }, 'add login');
        await work.git('tag', '-a', 'v1.0.0', '-m', 'release one', first);
        await work.git('remote', 'add', 'origin', remote('mia', maintainerToken, 'app'));
        await work.git('push', '-q', 'origin', 'main', 'feature/login', 'v1.0.0');

        const calls = await runs.waitFor(3);
        await settle(200);
        assert.equal(calls.length, 3);
        const byRef = new Map(calls.map((c) => [`${c.event.ref.kind}:${c.event.ref.name}`, c]));
        const main = byRef.get('branch:main');
        const login = byRef.get('branch:feature/login');
        const tag = byRef.get('tag:v1.0.0');
        assert.ok(main && login && tag, `refs: ${[...byRef.keys()].join(', ')}`);
        assert.equal(main.event.sha, first);
        assert.equal(main.trigger, 'push');
        assert.equal(main.event.kind, 'push');
        assert.equal(main.event.author, 'Ada Tester');
        assert.equal(main.event.message, 'first commit');
        assert.equal(typeof main.event.commitTime, 'number');
        assert.deepEqual([...(main.event.changedFiles ?? [])].sort(), ['.slipway.yml', 'src/a.txt']);
        assert.equal(login.event.sha, feature);
        assert.equal(login.event.message, 'add login');
        // An annotated tag runs on the commit it points at, not the tag object.
        assert.equal(tag.event.sha, first);
        assert.equal(tag.trigger, 'tag');
        assert.equal(tag.event.kind, 'tag');
        for (const call of calls) {
          assert.equal(call.actor, 'mia');
          assert.equal(call.project.name, 'app');
        }

        // The pushed commits are what the SourceService reads.
        const project = calls[0]!.project;
        assert.equal(await t.server.ctx.sources.readFile(project, 'main', '.slipway.yml'), 'version: 1\n');
      } finally {
        await work.cleanup();
      }
    },
  );

  test('a clone returns what was pushed; a second push runs only the moved branch', TIMEOUT, async () => {
    await fresh('clone-me');
    const work = await workRepo();
    const clone = await workRepo();
    try {
      await work.commit({ 'README.md': 'hello' }, 'one');
      await work.git('remote', 'add', 'origin', remote('mia', maintainerToken, 'clone-me'));
      await work.git('push', '-q', 'origin', 'main');
      await runs.waitFor(1);

      await git(clone.dir, ['fetch', '-q', remote('vic', viewerToken, 'clone-me'), 'main']);
      assert.equal(await clone.git('show', 'FETCH_HEAD:README.md'), 'hello');

      const second = await work.commit({ 'README.md': 'hello again' }, 'two');
      await work.git('push', '-q', 'origin', 'main');
      await runs.waitFor(2);
      assert.equal(runs.calls[1]!.event.sha, second);
      assert.deepEqual(runs.calls[1]!.event.changedFiles, ['README.md']);
    } finally {
      await work.cleanup();
      await clone.cleanup();
    }
  });

  test('deleting a branch starts no run', TIMEOUT, async () => {
    await fresh('deletions');
    const work = await workRepo();
    try {
      await work.commit({ 'a.txt': 'a' }, 'one');
      await work.git('branch', 'doomed');
      await work.git('remote', 'add', 'origin', remote('mia', maintainerToken, 'deletions'));
      await work.git('push', '-q', 'origin', 'main', 'doomed');
      await runs.waitFor(2);
      await work.git('push', '-q', 'origin', '--delete', 'doomed');
      await settle();
      assert.equal(runs.calls.length, 2);
      const refs = await t.server.ctx.sources.listRefs(runs.calls[0]!.project);
      assert.deepEqual(
        refs.branches.map((b) => b.name),
        ['main'],
      );
    } finally {
      await work.cleanup();
    }
  });

  test('no credentials or a wrong token: 401 with a Basic challenge', TIMEOUT, async () => {
    await fresh('locked');
    const anonymous = await fetch(`${t.url}/git/locked.git/info/refs?service=git-upload-pack`);
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get('www-authenticate'), 'Basic realm="Slipway"');

    const wrong = await fetch(`${t.url}/git/locked.git/info/refs?service=git-upload-pack`, {
      headers: { authorization: `Basic ${Buffer.from('mia:slp_not-a-token').toString('base64')}` },
    });
    assert.equal(wrong.status, 401);

    // A real token, but of another user.
    const mismatched = await fetch(`${t.url}/git/locked.git/info/refs?service=git-upload-pack`, {
      headers: { authorization: `Basic ${Buffer.from(`mia:${viewerToken}`).toString('base64')}` },
    });
    assert.equal(mismatched.status, 401);

    const work = await workRepo();
    try {
      await work.commit({ 'a.txt': 'a' }, 'one');
      await assert.rejects(
        work.git('push', '-q', remote('mia', 'slp_wrong', 'locked'), 'main'),
        /Authentication failed|401/,
      );
    } finally {
      await work.cleanup();
    }
    assert.equal(runs.calls.length, 0);
  });

  test('a viewer can fetch but not push (403)', TIMEOUT, async () => {
    await fresh('readonly');
    const advert = await fetch(`${t.url}/git/readonly.git/info/refs?service=git-upload-pack`, {
      headers: { authorization: `Basic ${Buffer.from(`vic:${viewerToken}`).toString('base64')}` },
    });
    assert.equal(advert.status, 200);
    assert.equal(advert.headers.get('content-type'), 'application/x-git-upload-pack-advertisement');

    const push = await fetch(`${t.url}/git/readonly.git/info/refs?service=git-receive-pack`, {
      headers: { authorization: `Basic ${Buffer.from(`vic:${viewerToken}`).toString('base64')}` },
    });
    assert.equal(push.status, 403);

    const work = await workRepo();
    try {
      await work.commit({ 'a.txt': 'a' }, 'one');
      await assert.rejects(work.git('push', '-q', remote('vic', viewerToken, 'readonly'), 'main'), /403/);
    } finally {
      await work.cleanup();
    }
    assert.equal(runs.calls.length, 0);
  });

  test('a gzip-compressed fetch request is decompressed for git', TIMEOUT, async () => {
    await fresh('gzipped');
    const work = await workRepo();
    try {
      const sha = await work.commit({ 'a.txt': 'a' }, 'one');
      await work.git('push', '-q', remote('mia', maintainerToken, 'gzipped'), 'main');
      const pkt = (line: string) => `${(line.length + 4).toString(16).padStart(4, '0')}${line}`;
      const request = `${pkt(`want ${sha}\n`)}0000${pkt('done\n')}`;
      const response = await fetch(`${t.url}/git/gzipped.git/git-upload-pack`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`vic:${viewerToken}`).toString('base64')}`,
          'content-type': 'application/x-git-upload-pack-request',
          'content-encoding': 'gzip',
        },
        body: gzipSync(request),
      });
      assert.equal(response.status, 200);
      const body = Buffer.from(await response.arrayBuffer());
      assert.ok(body.includes('PACK'), 'the answer carries a pack');
    } finally {
      await work.cleanup();
    }
  });

  test(
    'unknown projects are 404 after authentication; dumb-protocol paths do not exist',
    TIMEOUT,
    async () => {
      const auth = { authorization: `Basic ${Buffer.from(`mia:${maintainerToken}`).toString('base64')}` };
      const unknown = await fetch(`${t.url}/git/nope.git/info/refs?service=git-upload-pack`, {
        headers: auth,
      });
      assert.equal(unknown.status, 404);
      const anonymous = await fetch(`${t.url}/git/nope.git/info/refs?service=git-upload-pack`);
      assert.equal(anonymous.status, 401);
      await fresh('dumb');
      const head = await fetch(`${t.url}/git/dumb.git/HEAD`, { headers: auth });
      assert.equal(head.status, 404);
      const noService = await fetch(`${t.url}/git/dumb.git/info/refs`, { headers: auth });
      assert.equal(noService.status, 400);
      const traversal = await fetch(`${t.url}/git/..%2F..%2Fetc.git/info/refs?service=git-upload-pack`, {
        headers: auth,
      });
      assert.equal(traversal.status, 404);
    },
  );
});
