/**
 * `changes:` on runs somebody asks for, with a real server, real `git push`, its repository and
 * a real agent loop (fake backend): a manual run compares its commit with the commit of the
 * branch's last successful run. A skipped job names that run and the files that decided; a job
 * that runs says in its log what matched; a branch with no successful run runs everything and
 * says so.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fireSchedule } from '../../src/server/scheduler/fire-schedule.js';
import type { RunRow, ScheduleRow } from '../../src/server/store/tables.js';
import { startFakeAgent } from '../support/fake-agent.js';
import { insertProject, workRepo } from '../support/git.js';
import { createUserWithToken, startTestServer, type TestServer } from '../support/server.js';
import { until } from '../support/wait.js';

/** Pushes and whole runs on a fake agent: a minute's bound for a loaded machine. */
const POLL = { timeoutMs: 60_000, intervalMs: 50 };

const PIPELINE = `version: 1
image: busybox
stages:
  - name: check
    jobs:
      app: { script: [echo app], changes: ["src/**"] }
      docs: { script: [echo docs], changes: ["**/*.md"] }
      always: { script: [echo lint] }
`;

describe('changes: on manual runs', { timeout: 120_000 }, () => {
  let t: TestServer;
  let token: string;
  let stopAgent: () => Promise<void> = async () => {};
  before(async () => {
    t = await startTestServer();
    token = await createUserWithToken(t.server, 'mo', 'maintainer');
    stopAgent = await startFakeAgent(t, 'changes-agent');
  });
  after(async () => {
    await stopAgent();
    await t.close();
  });

  const db = () => t.server.ctx.db;
  const ended = (where: (run: RunRow) => boolean, what: string) =>
    until(
      what,
      async () => {
        const rows = await db().selectFrom('runs').selectAll().execute();
        return rows.find(
          (r) => where(r) && ['succeeded', 'failed', 'canceled', 'skipped'].includes(r.status),
        );
      },
      POLL,
    );
  const jobsOf = async (run: RunRow) =>
    new Map(
      (await db().selectFrom('jobs').selectAll().where('run_id', '=', run.id).execute()).map((j) => [
        j.name,
        j,
      ]),
    );
  const logOf = async (run: RunRow, job: string) =>
    (await t.server.ctx.logs.read(run.id, job, 0, 1000)).map((l) => l.text).join('\n');
  const runBranch = async (project: string, branch: string): Promise<RunRow> => {
    const res = await t.api(`/api/projects/${project}/runs`, {
      method: 'POST',
      body: JSON.stringify({ branch }),
    });
    assert.equal(res.status, 201, await res.clone().text());
    const { number } = (await res.json()) as { number: number };
    return ended((r) => r.number === number && r.trigger === 'manual', `manual run #${number}`);
  };

  test('compared with the last successful run of the branch; the skip names the files', async () => {
    await insertProject(t.server, { name: 'manualchanges' });
    const work = await workRepo();
    try {
      const a = await work.commit({ '.slipway.yml': PIPELINE, 'src/a.txt': 'a', 'README.md': 'hi' }, 'first');
      await work.git(
        'remote',
        'add',
        'origin',
        `${t.url.replace('://', `://mo:${token}@`)}/git/manualchanges.git`,
      );
      await work.git('push', '-q', 'origin', 'main');
      const first = await ended((r) => r.sha === a, 'the push run of A');
      assert.equal(first.status, 'succeeded');

      // B changes docs only and gets no run of its own: the last green run stays A's.
      const b = await work.commit({ 'README.md': 'more docs', 'guide/intro.md': 'intro' }, 'docs [skip ci]');
      await work.git('push', '-q', 'origin', 'main');
      await until(
        'the push of B to be recorded',
        () => db().selectFrom('runs').select('id').where('sha', '=', b).executeTakeFirst(),
        POLL,
      );

      const manual = await runBranch('manualchanges', 'main');
      assert.equal(manual.sha, b);
      assert.equal(manual.status, 'succeeded');
      const jobs = await jobsOf(manual);
      assert.equal(jobs.get('app')?.status, 'skipped');
      assert.equal(jobs.get('app')?.skip_code, 'changes');
      assert.equal(
        jobs.get('app')?.skip_message,
        `no file changed since the last successful run #${first.number} (${a.slice(0, 7)}) matches changes: src/** (changed: README.md, guide/intro.md)`,
      );
      assert.equal(jobs.get('docs')?.status, 'succeeded');
      assert.equal(jobs.get('always')?.status, 'succeeded');
      assert.match(
        await logOf(manual, 'docs'),
        new RegExp(
          `changes: \\*\\*/\\*\\.md matched README\\.md, guide/intro\\.md \\(changed since run #${first.number}, ${a.slice(0, 7)}\\)`,
        ),
      );

      // Now the manual run is the last green one, on the same commit: nothing changed since.
      const again = await runBranch('manualchanges', 'main');
      const second = await jobsOf(again);
      assert.equal(second.get('docs')?.status, 'skipped');
      assert.equal(
        second.get('docs')?.skip_message,
        `no file changed since the last successful run #${manual.number} (${b.slice(0, 7)}) matches changes: **/*.md (nothing changed)`,
      );
      assert.equal(second.get('always')?.status, 'succeeded');
    } finally {
      await work.cleanup();
    }
  });

  test('a scheduled run is compared the same way', async () => {
    const project = await insertProject(t.server, { name: 'cronchanges' });
    const work = await workRepo();
    try {
      const a = await work.commit({ '.slipway.yml': PIPELINE, 'src/a.txt': 'a', 'README.md': 'hi' }, 'first');
      await work.git(
        'remote',
        'add',
        'origin',
        `${t.url.replace('://', `://mo:${token}@`)}/git/cronchanges.git`,
      );
      await work.git('push', '-q', 'origin', 'main');
      const first = await ended((r) => r.sha === a, 'the push run of A');
      assert.equal(first.status, 'succeeded');
      const b = await work.commit({ 'src/b.txt': 'b' }, 'code [skip ci]');
      await work.git('push', '-q', 'origin', 'main');
      await until(
        'the push of B to be recorded',
        () => db().selectFrom('runs').select('id').where('sha', '=', b).executeTakeFirst(),
        POLL,
      );
      // The scheduler's own entry point; it reads only the schedule's branch.
      const runId = await fireSchedule(t.server.ctx, project, { branch: 'main' } as ScheduleRow);
      assert.ok(runId);
      const run = await ended((r) => r.id === runId, 'the scheduled run');
      const jobs = await jobsOf(run);
      assert.equal(jobs.get('app')?.status, 'succeeded');
      assert.match(
        await logOf(run, 'app'),
        /changes: src\/\*\* matched src\/b\.txt \(changed since run #\d+, /,
      );
      assert.equal(
        jobs.get('docs')?.skip_message,
        `no file changed since the last successful run #${first.number} (${a.slice(0, 7)}) matches changes: **/*.md (changed: src/b.txt)`,
      );
    } finally {
      await work.cleanup();
    }
  });

  test('a branch without a successful run runs every job and says why', async () => {
    await insertProject(t.server, { name: 'manualfresh' });
    const work = await workRepo('topic');
    try {
      await work.commit({ '.slipway.yml': PIPELINE, 'README.md': 'hi' }, 'first [skip ci]');
      await work.git(
        'remote',
        'add',
        'origin',
        `${t.url.replace('://', `://mo:${token}@`)}/git/manualfresh.git`,
      );
      await work.git('push', '-q', 'origin', 'topic');
      const run = await runBranch('manualfresh', 'topic');
      const jobs = await jobsOf(run);
      for (const name of ['app', 'docs', 'always']) assert.equal(jobs.get(name)?.status, 'succeeded', name);
      assert.match(
        await logOf(run, 'app'),
        /changes: src\/\*\* not applied: branch topic has no successful run to compare with, so the job runs/,
      );
    } finally {
      await work.cleanup();
    }
  });
});
