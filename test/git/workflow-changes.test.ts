/**
 * `changes:` and `workflow:` with a real server, real `git push` and its git mirror: the changed
 * files of a push decide which jobs run (a skipped job names the files that decided), and a
 * branch the workflow excludes gets no run record, only its delivery entry saying why.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { insertProject, workRepo } from '../support/git.js';
import { createUserWithToken, startTestServer, type TestServer } from '../support/server.js';
import { until } from '../support/wait.js';

/** A git push reaches the poller and then the database: no hurry, so a gentler poll. */
const POLL = { intervalMs: 50 };

const PIPELINE = `version: 1
image: busybox
workflow:
  except: { branches: [wip/.*] }
stages:
  - name: check
    jobs:
      app: { script: [make], changes: ["src/**"] }
      docs: { script: [make docs], changes: ["**/*.md"] }
      always: { script: [make lint] }
`;

describe('changes: and workflow: on pushes', { timeout: 90_000 }, () => {
  let t: TestServer;
  let token: string;
  before(async () => {
    t = await startTestServer();
    token = await createUserWithToken(t.server, 'mia', 'maintainer');
  });
  after(() => t.close());

  test('a push changing only docs skips the src job naming the file; an excluded branch makes no record', async () => {
    await insertProject(t.server, { name: 'flowgit' });
    const db = t.server.ctx.db;
    const work = await workRepo();
    try {
      await work.commit({ '.slipway.yml': PIPELINE, 'src/a.txt': 'a', 'README.md': 'hi' }, 'first');
      await work.git(
        'remote',
        'add',
        'origin',
        `${t.url.replace('://', `://mia:${token}@`)}/git/flowgit.git`,
      );
      await work.git('push', '-q', 'origin', 'main');
      await until(
        'run #1',
        () => db.selectFrom('runs').select('id').where('number', '=', 1).executeTakeFirst(),
        POLL,
      );
      const sha = await work.commit({ 'README.md': 'more docs' }, 'docs only');
      await work.git('push', '-q', 'origin', 'main');
      const run = await until(
        'run #2',
        () => db.selectFrom('runs').selectAll().where('sha', '=', sha).executeTakeFirst(),
        POLL,
      );
      const jobs = await db.selectFrom('jobs').selectAll().where('run_id', '=', run.id).execute();
      const byName = new Map(jobs.map((j) => [j.name, j]));
      assert.equal(byName.get('app')?.status, 'skipped');
      assert.equal(byName.get('app')?.skip_code, 'changes');
      assert.equal(
        byName.get('app')?.skip_message,
        'no changed file matches changes: src/** (changed: README.md)',
      );
      assert.equal(byName.get('docs')?.status, 'pending');
      assert.equal(byName.get('always')?.status, 'pending');

      const runsBefore = await db.selectFrom('runs').select('id').execute();
      await work.git('checkout', '-q', '-b', 'wip/try');
      await work.commit({ 'src/b.txt': 'b' }, 'work in progress');
      await work.git('push', '-q', 'origin', 'wip/try');
      const delivery = await until(
        'the delivery to be decided',
        () =>
          db
            .selectFrom('deliveries')
            .selectAll()
            .where('event', 'like', '%wip/try%')
            .where('skip_reason', 'is not', null)
            .executeTakeFirst(),
        POLL,
      );
      assert.equal(delivery.run_id, null);
      assert.match(
        delivery.skip_reason ?? '',
        /^no run: workflow: branch "wip\/try" \(push\) matches except/,
      );
      assert.equal(
        (await db.selectFrom('runs').select('id').execute()).length,
        runsBefore.length,
        'no record',
      );

      // A new branch is compared with where it left main: its src change counts, though its
      // head commit touched only docs.
      await work.git('checkout', '-q', 'main');
      await work.git('checkout', '-q', '-b', 'feature/two');
      await work.commit({ 'src/c.txt': 'c' }, 'code');
      const head = await work.commit({ 'README.md': 'docs for c' }, 'docs');
      await work.git('push', '-q', 'origin', 'feature/two');
      const branchRun = await until(
        'the feature run',
        () => db.selectFrom('runs').selectAll().where('sha', '=', head).executeTakeFirst(),
        POLL,
      );
      const app = await db
        .selectFrom('jobs')
        .selectAll()
        .where('run_id', '=', branchRun.id)
        .where('name', '=', 'app')
        .executeTakeFirstOrThrow();
      assert.equal(app.status, 'pending', app.skip_message ?? '');
    } finally {
      await work.cleanup();
    }
  });

  test('a manual run the workflow excludes is refused with 409 reason workflow', async () => {
    const db = t.server.ctx.db;
    const work = await workRepo('wip/manual');
    try {
      await insertProject(t.server, { name: 'flowmanual' });
      await work.commit({ '.slipway.yml': PIPELINE }, 'first');
      await work.git(
        'remote',
        'add',
        'origin',
        `${t.url.replace('://', `://mia:${token}@`)}/git/flowmanual.git`,
      );
      await work.git('push', '-q', 'origin', 'wip/manual');
      const res = await t.api('/api/projects/flowmanual/runs', {
        method: 'POST',
        body: JSON.stringify({ branch: 'wip/manual' }),
      });
      assert.equal(res.status, 409);
      const body = (await res.json()) as { error: { reason?: string; message: string } };
      assert.equal(body.error.reason, 'workflow');
      const project = await db
        .selectFrom('projects')
        .select('id')
        .where('name', '=', 'flowmanual')
        .executeTakeFirstOrThrow();
      assert.equal(
        (await db.selectFrom('runs').select('id').where('project_id', '=', project.id).execute()).length,
        0,
      );
    } finally {
      await work.cleanup();
    }
  });
});
