/**
 * What the built-in git server checks and records before git acts on a push (admit-push.ts):
 * runs of an acknowledged push survive a failure after the ack, a database that cannot be
 * written refuses the push, ref names follow the one domain rule, and the push size limit is a
 * setting the git client is told about. Real server, real `git push`, real SQLite.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createServer } from '../../src/server/create-server.js';
import { recoverPendingDeliveries } from '../../src/server/webhooks/recover-deliveries.js';
import { git, insertProject, type RecordingRuns, recordingRuns, settle, workRepo } from '../support/git.js';
import {
  createUserWithToken,
  startTestServer,
  type TestServer,
  testServerConfig,
} from '../support/server.js';

const TIMEOUT = { timeout: 60_000 };
const MAX_PUSH = 64 * 1024;

/** `git push` that resolves with its exit status and stderr instead of throwing. */
async function tryPush(dir: string, args: string[]): Promise<{ ok: boolean; stderr: string }> {
  try {
    await git(dir, ['push', ...args]);
    return { ok: true, stderr: '' };
  } catch (error) {
    return { ok: false, stderr: (error as Error).message };
  }
}

describe('git push admission', { concurrency: false }, () => {
  let t: TestServer;
  let token: string;

  before(async () => {
    t = await startTestServer({ SLIPWAY_GIT_MAX_PUSH_BYTES: String(MAX_PUSH) });
    token = await createUserWithToken(t.server, 'mia', 'maintainer');
  });
  after(() => t.close());

  const remote = (project: string) =>
    `${t.url.replace('://', `://mia:${encodeURIComponent(token)}@`)}/git/${project}.git`;

  async function project(name: string): Promise<RecordingRuns> {
    const runs = recordingRuns();
    t.server.ctx.runs = runs;
    await insertProject(t.server, { name });
    return runs;
  }

  const remoteRefs = (name: string) =>
    git('/', ['ls-remote', remote(name)]).then((out) => out.split('\n').filter(Boolean));

  test('an acknowledged push whose run could not be created gets it from recovery', TIMEOUT, async () => {
    await project('durable');
    // The run service fails right after git acknowledged the push (as a crash would lose it).
    t.server.ctx.runs = {
      ...recordingRuns(),
      createRun: () => Promise.reject(new Error('database went away')),
    };
    const work = await workRepo();
    try {
      const sha = await work.commit({ '.slipway.yml': 'version: 1\n' }, 'first');
      const pushed = await tryPush(work.dir, [remote('durable'), 'main']);
      assert.ok(pushed.ok, pushed.stderr);
      await settle(300);

      const runs = recordingRuns();
      t.server.ctx.runs = runs;
      const result = await recoverPendingDeliveries(t.server.ctx);
      assert.equal(result.started, 1);
      const [call] = await runs.waitFor(1);
      assert.deepEqual(call?.event.ref, { kind: 'branch', name: 'main' });
      assert.equal(call?.event.sha, sha);
      assert.equal(call?.trigger, 'push');
      assert.equal(call?.actor, 'mia');
    } finally {
      await work.cleanup();
    }
  });

  test('an update git refuses starts nothing and leaves nothing pending', TIMEOUT, async () => {
    const runs = await project('refused');
    const work = await workRepo();
    try {
      await work.commit({ 'a.txt': 'a' }, 'first');
      assert.ok((await tryPush(work.dir, [remote('refused'), 'main'])).ok);
      await runs.waitFor(1);
      // A forced rewrite the repository's own git config refuses (the client sends it, git says no).
      const repo = t.server.ctx.sources as unknown as { gitDir(p: object): string };
      const row = await t.server.ctx.db
        .selectFrom('projects')
        .selectAll()
        .where('name', '=', 'refused')
        .executeTakeFirstOrThrow();
      await git(repo.gitDir(row), ['config', 'receive.denyNonFastForwards', 'true']);
      await work.git('commit', '-q', '--amend', '-m', 'rewritten');
      const pushed = await tryPush(work.dir, ['--force', remote('refused'), 'main']);
      assert.equal(pushed.ok, false);
      assert.match(pushed.stderr, /rejected/);
      await settle();
      assert.equal(runs.calls.length, 1);
      const pending = await t.server.ctx.db
        .selectFrom('deliveries')
        .innerJoin('projects', 'projects.id', 'deliveries.project_id')
        .select(['deliveries.id', 'deliveries.started_at', 'deliveries.run_id'])
        .where('projects.name', '=', 'refused')
        .execute();
      assert.equal(pending.length, 2);
      // Both settled: one has its run, the refused one is claimed so no recovery retries it.
      assert.ok(pending.every((d) => d.started_at !== null));
      assert.equal(pending.filter((d) => d.run_id !== null).length, 1);
    } finally {
      await work.cleanup();
    }
  });

  test('a push the database cannot record is refused and moves no ref', TIMEOUT, async () => {
    const runs = await project('no-db');
    const db = t.server.ctx.db;
    await sql`ALTER TABLE deliveries RENAME TO deliveries_away`.execute(db);
    const work = await workRepo();
    try {
      await work.commit({ 'a.txt': 'a' }, 'first');
      const pushed = await tryPush(work.dir, [remote('no-db'), 'main']);
      assert.equal(pushed.ok, false, 'the git client must see an error');
      assert.match(pushed.stderr, /could not record/);
    } finally {
      await sql`ALTER TABLE deliveries_away RENAME TO deliveries`.execute(db);
      await work.cleanup();
    }
    assert.deepEqual(await remoteRefs('no-db'), []);
    await settle();
    assert.equal(runs.calls.length, 0);
  });

  test('ref names starting with "-" are refused like everywhere else', TIMEOUT, async () => {
    const runs = await project('dashes');
    const work = await workRepo();
    try {
      await work.commit({ 'a.txt': 'a' }, 'first');
      for (const ref of ['refs/heads/-x', 'refs/heads/feature/-rf', 'refs/tags/-v1']) {
        const pushed = await tryPush(work.dir, [remote('dashes'), `HEAD:${ref}`]);
        assert.equal(pushed.ok, false, ref);
        assert.match(pushed.stderr, /invalid ref name/, ref);
      }
      // One bad name refuses the push as a whole.
      const mixed = await tryPush(work.dir, [remote('dashes'), 'main', 'HEAD:refs/heads/-y']);
      assert.equal(mixed.ok, false);
      assert.deepEqual(await remoteRefs('dashes'), []);
      // The same names are refused by the manual-run API.
      const manual = await t.api('/api/projects/dashes/runs', {
        method: 'POST',
        body: JSON.stringify({ branch: '-x' }),
      });
      assert.equal(manual.status, 400);
      // A good push still goes through.
      assert.ok((await tryPush(work.dir, [remote('dashes'), 'main'])).ok);
      await runs.waitFor(1);
      // A branch pushed before the rule existed can still be deleted.
      const repo = t.server.ctx.sources as unknown as { gitDir(p: object): string };
      const project = await t.server.ctx.db
        .selectFrom('projects')
        .selectAll()
        .where('name', '=', 'dashes')
        .executeTakeFirstOrThrow();
      await git(repo.gitDir(project), ['update-ref', 'refs/heads/-old', 'refs/heads/main']);
      assert.ok((await tryPush(work.dir, [remote('dashes'), ':refs/heads/-old'])).ok);
      assert.deepEqual(
        (await remoteRefs('dashes')).map((line) => line.split('\t')[1]),
        ['HEAD', 'refs/heads/main'],
      );
    } finally {
      await work.cleanup();
    }
  });

  test(
    'a push over SLIPWAY_GIT_MAX_PUSH_BYTES is refused and the client is told the limit',
    TIMEOUT,
    async () => {
      const runs = await project('big');
      const work = await workRepo();
      try {
        // Random bytes do not compress: the pack is larger than the limit.
        await work.commit({ 'blob.bin': randomBytes(MAX_PUSH * 2).toString('base64') }, 'big');
        const pushed = await tryPush(work.dir, [remote('big'), 'main']);
        assert.equal(pushed.ok, false);
        assert.match(pushed.stderr, /maximum allowed size/);
        assert.match(pushed.stderr, /at most 64 KB \(65536 bytes, SLIPWAY_GIT_MAX_PUSH_BYTES\)/);
      } finally {
        await work.cleanup();
      }
      assert.deepEqual(await remoteRefs('big'), []);
      await settle();
      assert.equal(runs.calls.length, 0);
    },
  );

  test(
    'a server that dies right after acknowledging a push starts its runs when it comes back',
    TIMEOUT,
    async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'slipway-push-restart-'));
      const config = testServerConfig(dataDir);
      const work = await workRepo();
      try {
        const first = await createServer(config);
        const url = await first.listen();
        const pusher = await createUserWithToken(first, 'pat', 'maintainer');
        await insertProject(first, { name: 'phoenix' });
        // After the ack the run is never created: the commit lookup that precedes it hangs, as
        // if the process had stopped there.
        const sources = first.ctx.sources;
        first.ctx.sources = Object.assign(Object.create(sources) as typeof sources, {
          commitInfo: () => new Promise<never>(() => {}),
        });
        first.ctx.runs = recordingRuns();
        const sha = await work.commit({ '.slipway.yml': 'version: 1\n' }, 'survives');
        await work.git('tag', '-a', 'v1', '-m', 'annotated');
        const target = `${url.replace('://', `://pat:${encodeURIComponent(pusher)}@`)}/git/phoenix.git`;
        const pushed = await tryPush(work.dir, [target, 'main', 'v1']);
        assert.ok(pushed.ok, pushed.stderr);
        await first.close();

        const second = await createServer(config);
        const runs = recordingRuns();
        second.ctx.runs = runs;
        try {
          await second.listen();
          const calls = await runs.waitFor(2);
          const byKind = new Map(calls.map((c) => [c.event.ref.kind, c]));
          assert.deepEqual(byKind.get('branch')?.event.ref, { kind: 'branch', name: 'main' });
          assert.equal(byKind.get('branch')?.event.sha, sha);
          // The annotated tag runs on its commit, not on the tag object.
          assert.deepEqual(byKind.get('tag')?.event.ref, { kind: 'tag', name: 'v1' });
          assert.equal(byKind.get('tag')?.event.sha, sha);
          await settle();
          assert.equal(runs.calls.length, 2);
        } finally {
          await second.close();
        }
      } finally {
        await work.cleanup();
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  );
});
