/** User actions on runs: cancel (queued and leased), rerun, resume from failed, play a manual job. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { JobResultMessage } from '../../src/protocol/agent-protocol.js';
import { AppError } from '../../src/server/errors.js';
import { workspaceOf } from '../../src/server/queue/workspace-of.js';
import { jobsInPlanOrder } from '../../src/server/runs/run-queries.js';
import type { DbRunService } from '../../src/server/runs/run-service.js';
import type { ProjectEvent, RunState } from '../../src/server/services.js';
import type { ProjectRow, RunRow } from '../../src/server/store/tables.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { claim, configSources, insertProject, push, release, useSources } from './fixtures.js';

/** build → test → package → deploy (manual): enough for "skipped because upstream failed". */
const FOUR_STAGES = `version: 1
image: busybox
stages:
  - name: build
    jobs:
      compile: { script: [make] }
  - name: test
    jobs:
      unit: { script: [make test] }
      lint: { script: [make lint] }
  - name: package
    jobs:
      pack: { script: [make pack] }
  - name: deploy
    jobs:
      ship: { script: [make ship], when: manual }
`;

function result(
  name: string,
  status: JobResultMessage['status'],
  at: number,
  extra: Partial<JobResultMessage> = {},
) {
  return {
    name,
    stage: 'x',
    status,
    allowFailure: false,
    failure: status === 'failed' ? { reason: 'exit_code' as const, message: 'exit code 1' } : null,
    skip: null,
    exitCode: status === 'failed' ? 1 : 0,
    startedAt: at,
    finishedAt: at + 500,
    ...extra,
  } satisfies JobResultMessage;
}

describe('cancel, rerun, play', () => {
  let t: TestServer;
  let runs: DbRunService;
  let state: RunState;
  let project: ProjectRow;
  before(async () => {
    t = await startTestServer();
    runs = useSources(t, configSources(FOUR_STAGES));
    state = t.server.ctx.runState;
    project = await insertProject(t);
  });
  after(() => t.close());

  const db = () => t.server.ctx.db;
  const newRun = () => runs.createRun({ project, event: push(), trigger: 'push', actor: 'alice' });
  const runRow = (id: string) =>
    db().selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const jobs = (id: string) => jobsInPlanOrder(db(), id);
  const queue = (id: string) =>
    db().selectFrom('queue').selectAll().where('run_id', '=', id).orderBy('enqueued_at').execute();
  const appError = (code: string) => (error: unknown) => error instanceof AppError && error.code === code;

  /** A run that ran: compile ok, unit failed, lint ok, pack skipped because of unit, ship manual. */
  async function failedRun(): Promise<RunRow> {
    const run = await newRun();
    await claim(t, run.id);
    await state.runStarted(run.id);
    await state.jobUpdate(run.id, result('compile', 'succeeded', 1000));
    await state.jobUpdate(run.id, result('unit', 'failed', 2000));
    await state.jobUpdate(run.id, result('lint', 'succeeded', 2000));
    await state.jobUpdate(
      run.id,
      result('pack', 'skipped', 0, {
        skip: { code: 'upstream_failed', message: '"unit" failed' },
        startedAt: null,
        finishedAt: null,
      }),
    );
    await state.runFinished(run.id, { status: 'failed', startedAt: 1000, finishedAt: 3000, error: null });
    await release(t, run.id);
    return runRow(run.id);
  }

  test('cancel of a queued run: execution withdrawn, jobs skipped, run canceled — and again is a no-op', async () => {
    const run = await newRun();
    const seen: ProjectEvent[] = [];
    const off = t.server.ctx.events.subscribe(project.id, (e) => seen.push(e));
    await runs.cancel(run.id, 'max');
    off();
    const canceled = await runRow(run.id);
    assert.equal(canceled.status, 'canceled');
    assert.notEqual(canceled.finished_at, null);
    assert.deepEqual(
      (await queue(run.id)).map((q) => q.status),
      ['done'],
    );
    for (const job of await jobs(run.id)) {
      assert.equal(job.status, 'skipped');
      assert.equal(job.skip_code, 'run_canceled');
      assert.equal(job.skip_message, 'the run was canceled by max');
    }
    assert.equal(seen.filter((e) => e.type === 'job').length, 5);
    assert.equal((seen.at(-1)?.data as { status: string } | undefined)?.status, 'canceled');

    await runs.cancel(run.id, 'max');
    assert.equal((await runRow(run.id)).finished_at, canceled.finished_at);
    await assert.rejects(runs.cancel('no-such-run', 'max'), appError('not_found'));
  });

  test('cancel of a leased run asks the agent (cancel_requested) and leaves the end to it', async () => {
    const run = await newRun();
    await claim(t, run.id);
    await state.runStarted(run.id);
    await runs.cancel(run.id, 'max');
    await runs.cancel(run.id, 'max');
    const [execution] = await queue(run.id);
    assert.equal(execution?.status, 'leased');
    assert.equal(execution?.cancel_requested, 1);
    assert.equal((await runRow(run.id)).status, 'running');

    // The agent stops and reports the end; even if it says "failed", the user asked to cancel.
    await state.runFinished(run.id, { status: 'failed', startedAt: 1, finishedAt: 2, error: null });
    assert.equal((await runRow(run.id)).status, 'canceled');
    assert.ok((await jobs(run.id)).every((j) => j.status === 'skipped' && j.skip_code === 'run_canceled'));
  });

  test('rerun: a new run of the same commit, planned again, with its own execution', async () => {
    const parent = await failedRun();
    const child = await runs.rerun(parent.id, { failedOnly: false, by: 'max' });
    assert.equal(child.number, parent.number + 1);
    assert.equal(child.trigger, 'rerun');
    assert.equal(child.actor, 'max');
    assert.equal(child.parent_run_id, parent.id);
    assert.equal(child.sha, parent.sha);
    assert.equal(child.record, parent.record);
    assert.equal(child.status, 'queued');
    assert.deepEqual(
      (await jobs(child.id)).map((j) => [j.name, j.status]),
      [
        ['compile', 'pending'],
        ['unit', 'pending'],
        ['lint', 'pending'],
        ['pack', 'pending'],
        ['ship', 'manual'],
      ],
    );
    const [execution] = await queue(child.id);
    assert.deepEqual(JSON.parse(execution?.selection ?? ''), { jobs: [] });
    assert.equal(execution?.reuse_workspace, 0);
  });

  test('resume from failed: succeeded jobs copied as they were, the rest redone in the parent workspace', async () => {
    const parent = await failedRun();
    const before = await jobs(parent.id);
    const child = await runs.rerun(parent.id, { failedOnly: true, by: 'max' });
    assert.equal(child.parent_run_id, parent.id);
    assert.equal(child.status, 'queued');
    const after = await jobs(child.id);
    assert.deepEqual(
      after.map((j) => [j.name, j.status]),
      [
        ['compile', 'succeeded'],
        ['unit', 'pending'],
        ['lint', 'succeeded'],
        ['pack', 'pending'],
        ['ship', 'manual'],
      ],
    );
    const compileBefore = before.find((j) => j.name === 'compile');
    const compileAfter = after.find((j) => j.name === 'compile');
    assert.equal(compileAfter?.started_at, compileBefore?.started_at);
    assert.equal(compileAfter?.finished_at, compileBefore?.finished_at);
    assert.equal(after.find((j) => j.name === 'unit')?.failure_reason, null);
    assert.equal(after.find((j) => j.name === 'pack')?.skip_code, null);

    const [execution] = await queue(child.id);
    assert.deepEqual(JSON.parse(execution?.selection ?? ''), { jobs: ['unit', 'pack'] });
    assert.equal(execution?.reuse_workspace, 1);
    // The lease names the parent's workspace (the queue resolves it through parent_run_id).
    assert.equal(await workspaceOf(db(), execution as NonNullable<typeof execution>), parent.id);
  });

  test('resume needs a finished run with something to redo', async () => {
    const running = await newRun();
    await assert.rejects(runs.rerun(running.id, { failedOnly: true, by: 'max' }), appError('conflict'));
    const parent = await failedRun();
    const child = await runs.rerun(parent.id, { failedOnly: true, by: 'max' });
    await claim(t, child.id);
    await state.runStarted(child.id);
    await state.jobUpdate(child.id, result('unit', 'succeeded', 5000));
    await state.jobUpdate(child.id, result('pack', 'succeeded', 6000));
    await state.runFinished(child.id, {
      status: 'succeeded',
      startedAt: 5000,
      finishedAt: 7000,
      error: null,
    });
    assert.equal((await runRow(child.id)).status, 'succeeded');
    await assert.rejects(runs.rerun(child.id, { failedOnly: true, by: 'max' }), appError('conflict'));
    await assert.rejects(runs.rerun('no-such-run', { failedOnly: false, by: 'max' }), appError('not_found'));
  });

  test('rerun of a run whose config failed plans it again from the source', async () => {
    const sources = configSources(null);
    const broken = await useSources(t, sources).createRun({
      project,
      event: push(),
      trigger: 'push',
      actor: 'a',
    });
    assert.equal(broken.status, 'failed');
    sources.default = FOUR_STAGES;
    const again = await runs.rerun(broken.id, { failedOnly: false, by: 'max' });
    runs = useSources(t, configSources(FOUR_STAGES));
    assert.equal(again.parent_run_id, broken.id);
    assert.equal(again.status, 'queued');
  });

  test('play: a manual job of a finished run runs in a new execution that reuses the workspace', async () => {
    const run = await newRun();
    await claim(t, run.id);
    await state.runStarted(run.id);
    for (const name of ['compile', 'unit', 'lint', 'pack'])
      await state.jobUpdate(run.id, result(name, 'succeeded', 1));
    await state.runFinished(run.id, { status: 'succeeded', startedAt: 1, finishedAt: 2, error: null });
    await release(t, run.id);
    assert.equal((await runRow(run.id)).status, 'succeeded');

    await runs.playJob(run.id, 'ship', 'max');
    assert.equal((await runRow(run.id)).status, 'queued');
    assert.equal((await runRow(run.id)).finished_at, null);
    assert.equal((await jobs(run.id)).find((j) => j.name === 'ship')?.status, 'pending');
    const executions = await queue(run.id);
    assert.equal(executions.length, 2);
    const played = executions.find((e) => e.status === 'queued');
    assert.deepEqual(JSON.parse(played?.selection ?? ''), { jobs: ['ship'] });
    assert.equal(played?.run_manual, 1);
    assert.equal(played?.reuse_workspace, 1);

    await assert.rejects(runs.playJob(run.id, 'ship', 'max'), appError('conflict'));
    await assert.rejects(runs.playJob(run.id, 'compile', 'max'), appError('conflict'));
    await assert.rejects(runs.playJob(run.id, 'nope', 'max'), appError('not_found'));
  });

  test('play in a run that never had an execution starts with a fresh workspace', async () => {
    const sources = configSources(
      'version: 1\nimage: busybox\nstages:\n  - name: deploy\n    jobs:\n      ship: { script: [x], when: manual }\n',
    );
    const run = await useSources(t, sources).createRun({
      project,
      event: push(),
      trigger: 'push',
      actor: 'a',
    });
    runs = useSources(t, configSources(FOUR_STAGES));
    assert.equal(run.status, 'manual');
    await runs.playJob(run.id, 'ship', 'max');
    assert.equal((await runRow(run.id)).status, 'queued');
    const [execution] = await queue(run.id);
    assert.equal(execution?.reuse_workspace, 0);
    assert.equal(execution?.run_manual, 1);
  });
});
