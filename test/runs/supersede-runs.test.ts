/**
 * Auto-cancel of superseded runs (issue #15): with the project setting on, a newer push to a
 * branch (or update of a pull request) cancels the older queued runs of it and the running ones
 * whose started jobs are all `interruptible: true`, recorded as "superseded by #N". Real server,
 * real SQLite; agents are simulated by the queue's own writes (claim) and RunState reports, and
 * one test runs a real agent loop on the fake backend to see the running job stopped.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { FakeBackend } from '../../src/backends/fake/fake-backend.js';
import type { EventKind, PipelineEvent } from '../../src/domain/event.js';
import type { RunDetail } from '../../src/server/runs/run-json.js';
import type { DbRunService } from '../../src/server/runs/run-service.js';
import type { ProjectRow, RunRow } from '../../src/server/store/tables.js';
import { startFakeAgent } from '../support/fake-agent.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { until } from '../support/wait.js';
import {
  type ConfigSources,
  claim,
  configSources,
  insertProject,
  push,
  runningJob,
  useSources,
} from './fixtures.js';

/** Each wait is one step of a run on a fake agent: 20 s is ample. */
const POLL = { timeoutMs: 20_000 };

/** Every job interruptible (top-level default), except `ship`, which says otherwise. */
const INTERRUPTIBLE = `version: 1
image: busybox
interruptible: true
stages:
  - name: build
    jobs:
      compile: { script: [make] }
  - name: deploy
    jobs:
      ship: { script: [make ship], interruptible: false }
`;

/** The same pipeline with `compile` not interruptible (the default). */
const NOT_INTERRUPTIBLE = `version: 1
image: busybox
stages:
  - name: build
    jobs:
      compile: { script: [make] }
  - name: deploy
    jobs:
      ship: { script: [make ship] }
`;

const running = (name: string) => runningJob(name, 'x');

describe('auto-cancel of superseded runs', () => {
  let t: TestServer;
  let sources: ConfigSources;
  let runs: DbRunService;
  before(async () => {
    t = await startTestServer();
    sources = configSources(INTERRUPTIBLE);
    runs = useSources(t, sources);
  });
  after(() => t.close());

  const db = () => t.server.ctx.db;
  const row = (id: string) =>
    db().selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const queueOf = (id: string) => db().selectFrom('queue').selectAll().where('run_id', '=', id).execute();

  /** A project with the setting turned on through the API (as Settings → General does). */
  async function projectWithAutoCancel(): Promise<ProjectRow> {
    const project = await insertProject(t);
    const res = await t.api(`/api/projects/${project.name}`, {
      method: 'PATCH',
      body: JSON.stringify({ autoCancelSuperseded: true }),
    });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { autoCancelSuperseded: boolean }).autoCancelSuperseded, true);
    return project;
  }

  function start(project: ProjectRow, trigger: EventKind = 'push', event: Partial<PipelineEvent> = {}) {
    return runs.createRun({ project, event: push({ kind: trigger, ...event }), trigger, actor: 'alice' });
  }

  async function detail(project: ProjectRow, run: RunRow): Promise<RunDetail> {
    const res = await t.api(`/api/projects/${project.name}/runs/${run.number}`);
    assert.equal(res.status, 200);
    return (await res.json()) as RunDetail;
  }

  test('two pushes to one branch: the first, still queued, is canceled as superseded by #2', async () => {
    const project = await projectWithAutoCancel();
    const first = await start(project);
    const second = await start(project);
    const old = await row(first.id);
    assert.equal(old.status, 'canceled');
    assert.deepEqual(JSON.parse(old.cancel_reason ?? 'null'), { code: 'superseded', by: second.number });
    assert.deepEqual(
      (await queueOf(first.id)).map((q) => q.status),
      ['done'],
      'its execution is withdrawn',
    );
    const shown = await detail(project, first);
    assert.deepEqual(shown.cancelReason, { code: 'superseded', by: 2 });
    assert.ok(
      shown.jobs.every((j) => j.status === 'skipped' && j.skip?.message === 'the run was superseded by #2'),
    );
    assert.deepEqual(
      shown.jobs.map((j) => [j.name, j.interruptible]),
      [
        ['compile', true],
        ['ship', false],
      ],
    );
    assert.equal((await row(second.id)).status, 'queued');
    assert.equal((await detail(project, second)).cancelReason, null);
  });

  test('a running run whose started jobs are all interruptible is stopped through its lease', async () => {
    const project = await projectWithAutoCancel();
    const first = await start(project);
    await claim(t, first.id);
    await t.server.ctx.runState.runStarted(first.id);
    await t.server.ctx.runState.jobUpdate(first.id, running('compile'));
    const second = await start(project);
    const [execution] = await queueOf(first.id);
    assert.equal(execution?.cancel_requested, 1, 'the agent is told to stop');
    assert.deepEqual(JSON.parse((await row(first.id)).cancel_reason ?? 'null'), {
      code: 'superseded',
      by: second.number,
    });
    // The agent stops the containers and reports the end: the run ends canceled, reason kept.
    await t.server.ctx.runState.runFinished(first.id, {
      status: 'canceled',
      startedAt: 1,
      finishedAt: 2,
      error: null,
    });
    const shown = await detail(project, first);
    assert.equal(shown.status, 'canceled');
    assert.deepEqual(shown.cancelReason, { code: 'superseded', by: second.number });
  });

  test('a running run with a non-interruptible job started is left alone', async () => {
    const project = await projectWithAutoCancel();
    const sha = 'b'.repeat(40);
    sources.configs.set(sha, NOT_INTERRUPTIBLE);
    const first = await start(project, 'push', { sha });
    await claim(t, first.id);
    await t.server.ctx.runState.runStarted(first.id);
    await t.server.ctx.runState.jobUpdate(first.id, running('compile'));
    await start(project);
    const [execution] = await queueOf(first.id);
    assert.equal(execution?.cancel_requested, 0);
    const old = await row(first.id);
    assert.equal(old.status, 'running');
    assert.equal(old.cancel_reason, null);
  });

  test('once a non-interruptible job has started, later interruptible ones do not make the run interruptible', async () => {
    const project = await projectWithAutoCancel();
    // compile (interruptible) is done; ship, which is not, has started.
    const first = await start(project);
    await claim(t, first.id);
    await t.server.ctx.runState.runStarted(first.id);
    await t.server.ctx.runState.jobUpdate(first.id, {
      ...running('compile'),
      status: 'succeeded',
      exitCode: 0,
      finishedAt: 2000,
    });
    await t.server.ctx.runState.jobUpdate(first.id, running('ship'));
    await start(project);
    assert.equal((await row(first.id)).status, 'running');
    assert.equal((await queueOf(first.id))[0]?.cancel_requested, 0);
  });

  test('other branches, tags, and runs of projects with the setting off are untouched', async () => {
    const project = await projectWithAutoCancel();
    const feature = await start(project, 'push', { ref: { kind: 'branch', name: 'feature/x' } });
    const tag = await start(project, 'tag', { ref: { kind: 'tag', name: 'v1.0.0' } });
    const tagAgain = await start(project, 'tag', { ref: { kind: 'tag', name: 'v1.0.0' } });
    await start(project, 'push');
    for (const run of [feature, tag, tagAgain]) assert.equal((await row(run.id)).status, 'queued');

    const off = await insertProject(t);
    const first = await start(off);
    await start(off);
    assert.equal((await row(first.id)).status, 'queued', 'setting off: nothing is canceled');
  });

  test('manual, cron and rerun runs neither supersede nor are superseded', async () => {
    const project = await projectWithAutoCancel();
    const pushed = await start(project);
    const manual = await start(project, 'manual');
    const cron = await start(project, 'cron');
    assert.equal((await row(pushed.id)).status, 'queued', 'a manual or cron run supersedes nothing');
    const rerun = await runs.rerun(pushed.id, { failedOnly: false, by: 'max' });
    assert.equal((await row(pushed.id)).status, 'queued', 'a rerun supersedes nothing');
    const latest = await start(project);
    assert.equal((await row(pushed.id)).status, 'canceled');
    for (const run of [manual, cron, rerun]) assert.equal((await row(run.id)).status, 'queued');
    assert.equal((await row(latest.id)).status, 'queued');
  });

  test('pull request runs supersede older runs of the same request only', async () => {
    const project = await projectWithAutoCancel();
    const pr = (number: number) => ({ ref: { kind: 'pull_request' as const, name: 'feature/x', number } });
    const first = await start(project, 'pull_request', pr(7));
    const other = await start(project, 'pull_request', pr(8));
    const branch = await start(project, 'push', { ref: { kind: 'branch', name: 'feature/x' } });
    const second = await start(project, 'pull_request', pr(7));
    assert.deepEqual(JSON.parse((await row(first.id)).cancel_reason ?? 'null'), {
      code: 'superseded',
      by: second.number,
    });
    assert.equal((await row(first.id)).status, 'canceled');
    for (const run of [other, branch, second]) assert.equal((await row(run.id)).status, 'queued');
  });

  test('a run a user canceled keeps that reason; a push whose config is broken supersedes nothing', async () => {
    const project = await projectWithAutoCancel();
    const first = await start(project);
    await claim(t, first.id);
    await t.server.ctx.runState.runStarted(first.id);
    await runs.cancel(first.id, 'max');
    await start(project);
    assert.deepEqual(JSON.parse((await row(first.id)).cancel_reason ?? 'null'), {
      code: 'user',
      actor: 'max',
    });

    const queued = await start(project);
    const sha = 'c'.repeat(40);
    sources.configs.set(sha, 'version: 1\nstages: nope\n');
    const broken = await start(project, 'push', { sha });
    assert.equal(broken.status, 'failed');
    assert.equal((await row(queued.id)).status, 'queued');
  });

  test('a failure to cancel an old run is logged and the new run stands', async () => {
    const project = await projectWithAutoCancel();
    const first = await start(project);
    // The database refuses to record the cancel of this one run (as a lost connection would).
    await sql
      .raw(
        `CREATE TRIGGER refuse_cancel BEFORE UPDATE OF cancel_reason ON runs WHEN OLD.id = '${first.id}'
         BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`,
      )
      .execute(db());
    try {
      const second = await start(project);
      assert.equal((await row(second.id)).status, 'queued');
      assert.equal((await queueOf(second.id))[0]?.status, 'queued');
      const old = await row(first.id);
      assert.equal(old.status, 'queued');
      assert.equal(old.cancel_reason, null);
    } finally {
      await sql.raw('DROP TRIGGER refuse_cancel').execute(db());
    }
  });

  test('with an agent: the superseded run’s running job is stopped and its containers removed', async () => {
    const project = await projectWithAutoCancel();
    const slow = 'd'.repeat(40);
    sources.configs.set(
      slow,
      `version: 1
image: busybox
stages:
  - name: build
    jobs:
      slow: { script: [echo started, sleep 30], interruptible: true }
`,
    );
    const first = await start(project, 'push', { sha: slow });
    const backend = new FakeBackend();
    const stopAgent = await startFakeAgent(t, 'supersede-agent', { backend, capacity: 1 });
    try {
      const job = () =>
        db()
          .selectFrom('jobs')
          .select('status')
          .where('run_id', '=', first.id)
          .where('name', '=', 'slow')
          .executeTakeFirstOrThrow();
      await until('the slow job runs', async () => (await job()).status === 'running', POLL);
      const second = await start(project);
      await until('the superseded run ends', async () => (await row(first.id)).status === 'canceled', POLL);
      assert.equal((await job()).status, 'canceled');
      assert.ok(backend.destroyed.includes(first.id), 'its containers are removed');
      assert.deepEqual((await detail(project, first)).cancelReason, {
        code: 'superseded',
        by: second.number,
      });
    } finally {
      await stopAgent();
    }
  });
});
