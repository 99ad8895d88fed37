/** RunState: what agents report becomes job and run state; terminal never moves; events follow. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { JobResultMessage } from '../../src/protocol/agent-protocol.js';
import type { RunSummary } from '../../src/server/runs/run-json.js';
import { jobsInPlanOrder } from '../../src/server/runs/run-queries.js';
import type { DbRunService } from '../../src/server/runs/run-service.js';
import type { ProjectEvent, RunState } from '../../src/server/services.js';
import type { ProjectRow } from '../../src/server/store/tables.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { claim, configSources, insertProject, push, release, useSources } from './fixtures.js';

const STAGE_OF: Record<string, string> = { compile: 'build', unit: 'test', lint: 'test', ship: 'deploy' };

function report(
  name: string,
  status: JobResultMessage['status'],
  extra: Partial<JobResultMessage> = {},
): JobResultMessage {
  const ended = status === 'succeeded' || status === 'failed' || status === 'canceled';
  return {
    name,
    stage: STAGE_OF[name] ?? 'build',
    status,
    allowFailure: name === 'lint',
    failure: status === 'failed' ? { reason: 'exit_code', message: 'exit code 2' } : null,
    skip: null,
    exitCode: status === 'failed' ? 2 : status === 'succeeded' ? 0 : null,
    startedAt: status === 'pending' || status === 'manual' ? null : 1000,
    finishedAt: ended ? 2000 : null,
    ...extra,
  };
}

describe('RunState', () => {
  let t: TestServer;
  let runs: DbRunService;
  let state: RunState;
  let project: ProjectRow;
  before(async () => {
    t = await startTestServer();
    runs = useSources(t, configSources());
    state = t.server.ctx.runState;
    project = await insertProject(t);
  });
  after(() => t.close());

  /** A run an agent has taken (its execution is leased). */
  const newRun = async () => {
    const run = await runs.createRun({ project, event: push(), trigger: 'push', actor: 'alice' });
    await claim(t, run.id);
    return run;
  };
  const runRow = (id: string) =>
    t.server.ctx.db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const jobStatuses = async (id: string) => {
    const rows = await jobsInPlanOrder(t.server.ctx.db, id);
    return Object.fromEntries(rows.map((r) => [r.name, r.status]));
  };
  const job = (id: string, name: string) =>
    t.server.ctx.db
      .selectFrom('jobs')
      .selectAll()
      .where('run_id', '=', id)
      .where('name', '=', name)
      .executeTakeFirstOrThrow();

  test('a run goes running, jobs follow the reports, and the end status is derived from them', async () => {
    const run = await newRun();
    const seen: ProjectEvent[] = [];
    const off = t.server.ctx.events.subscribe(project.id, (e) => seen.push(e));

    await state.runStarted(run.id);
    const started = await runRow(run.id);
    assert.equal(started.status, 'running');
    assert.notEqual(started.started_at, null);

    await state.jobUpdate(run.id, report('compile', 'running'));
    assert.equal((await job(run.id, 'compile')).status, 'running');
    await state.jobUpdate(run.id, report('compile', 'succeeded'));
    await state.jobUpdate(run.id, report('unit', 'running'));
    await state.jobUpdate(run.id, report('unit', 'succeeded'));
    await state.jobUpdate(run.id, report('lint', 'running'));
    await state.jobUpdate(run.id, report('lint', 'failed'));
    // The agent's first report of every job (pending/manual) adds nothing and is ignored.
    await state.jobUpdate(run.id, report('ship', 'manual'));
    // A late repeat that would move a terminal job is ignored.
    await state.jobUpdate(run.id, report('compile', 'failed'));
    assert.equal((await job(run.id, 'compile')).status, 'succeeded');

    const lastRun = seen.filter((e) => e.type === 'run').at(-1)?.data as RunSummary;
    assert.deepEqual(
      lastRun.stages.map((s) => [s.name, s.status]),
      [
        ['build', 'succeeded'],
        ['test', 'succeeded'], // lint may fail
        ['deploy', 'manual'],
      ],
    );

    await state.runFinished(run.id, { status: 'succeeded', startedAt: 1000, finishedAt: 3000, error: null });
    off();
    const ended = await runRow(run.id);
    assert.equal(ended.status, 'succeeded');
    assert.notEqual(ended.finished_at, null);
    assert.deepEqual(await jobStatuses(run.id), {
      compile: 'succeeded',
      unit: 'succeeded',
      lint: 'failed',
      ship: 'manual', // still playable
    });
    const lint = await job(run.id, 'lint');
    assert.equal(lint.failure_reason, 'exit_code');
    assert.equal(lint.exit_code, 2);

    const jobEvents = seen.filter((e) => e.type === 'job').map((e) => (e.data as { name: string }).name);
    assert.deepEqual(jobEvents, ['compile', 'compile', 'unit', 'unit', 'lint', 'lint']);
    assert.equal((seen.at(-1)?.data as RunSummary | undefined)?.status, 'succeeded');
  });

  test('a job that fails without being allowed to fails the run, and says which', async () => {
    const run = await newRun();
    await state.runStarted(run.id);
    await state.jobUpdate(run.id, report('compile', 'failed'));
    await state.jobUpdate(
      run.id,
      report('unit', 'skipped', {
        skip: { code: 'upstream_failed', message: '"compile" failed' },
        startedAt: null,
      }),
    );
    // Left pending by the agent: skipped when the execution ends.
    await state.runFinished(run.id, { status: 'failed', startedAt: 1000, finishedAt: 3000, error: null });
    const ended = await runRow(run.id);
    assert.equal(ended.status, 'failed');
    assert.equal(ended.failure_reason, 'exit_code');
    assert.equal(ended.failure_message, 'job "compile" failed: exit code 2');
    assert.deepEqual(await jobStatuses(run.id), {
      compile: 'failed',
      unit: 'skipped',
      lint: 'skipped',
      // A manual job after a failed stage can no longer be played (it would deploy a failed run).
      ship: 'skipped',
    });
  });

  test('reports outside an execution (not_selected) leave the job alone', async () => {
    const run = await newRun();
    await state.runStarted(run.id);
    await state.jobUpdate(
      run.id,
      report('unit', 'skipped', { skip: { code: 'not_selected', message: 'not selected' }, startedAt: null }),
    );
    assert.equal((await job(run.id, 'unit')).status, 'pending');
  });

  test('a canceled execution: running jobs canceled, waiting ones skipped, run canceled', async () => {
    const run = await newRun();
    await state.runStarted(run.id);
    await state.jobUpdate(run.id, report('compile', 'running'));
    await state.runFinished(run.id, { status: 'canceled', startedAt: 1000, finishedAt: 3000, error: null });
    assert.equal((await runRow(run.id)).status, 'canceled');
    assert.deepEqual(await jobStatuses(run.id), {
      compile: 'canceled',
      unit: 'skipped',
      lint: 'skipped',
      ship: 'skipped',
    });
    assert.equal((await job(run.id, 'unit')).skip_code, 'run_canceled');
  });

  test('an agent error ends the run failed with backend_error', async () => {
    const run = await newRun();
    await state.runStarted(run.id);
    await state.runFinished(run.id, {
      status: 'failed',
      startedAt: 1000,
      finishedAt: 1000,
      error: 'could not download the source',
    });
    const ended = await runRow(run.id);
    assert.equal(ended.status, 'failed');
    assert.equal(ended.failure_reason, 'backend_error');
    assert.equal(ended.failure_message, 'could not download the source');
  });

  test('failUnfinished: running fails as agent lost, waiting skipped, run failed; later reports ignored', async () => {
    const run = await newRun();
    await state.runStarted(run.id);
    await state.jobUpdate(run.id, report('compile', 'running'));
    await state.failUnfinished(run.id, 'agent_lost', 'agent a1 stopped heartbeating');
    const ended = await runRow(run.id);
    assert.equal(ended.status, 'failed');
    assert.equal(ended.failure_reason, 'agent_lost');
    assert.equal(ended.failure_message, 'agent a1 stopped heartbeating');
    const compile = await job(run.id, 'compile');
    assert.equal(compile.status, 'failed');
    assert.equal(compile.failure_reason, 'agent_lost');
    assert.notEqual(compile.finished_at, null);
    assert.deepEqual(await jobStatuses(run.id), {
      compile: 'failed',
      unit: 'skipped',
      lint: 'skipped',
      ship: 'manual',
    });

    await state.jobUpdate(run.id, report('unit', 'running'));
    await state.runFinished(run.id, { status: 'succeeded', startedAt: 1, finishedAt: 2, error: null });
    assert.equal((await job(run.id, 'unit')).status, 'skipped');
    assert.equal((await runRow(run.id)).status, 'failed');
  });

  test('requeued: the run is queued again and its running jobs pending', async () => {
    const run = await newRun();
    await state.runStarted(run.id);
    await state.jobUpdate(run.id, report('compile', 'succeeded'));
    await state.jobUpdate(run.id, report('unit', 'running'));
    await state.requeued(run.id);
    assert.equal((await runRow(run.id)).status, 'queued');
    const unit = await job(run.id, 'unit');
    assert.equal(unit.status, 'pending');
    assert.equal(unit.started_at, null);
    assert.equal((await job(run.id, 'compile')).status, 'succeeded');
    await state.runStarted(run.id);
    assert.equal((await runRow(run.id)).status, 'running');
  });

  test('a job played while the run ran is left to its own queued execution', async () => {
    const run = await newRun();
    await state.runStarted(run.id);
    for (const name of ['compile', 'unit', 'lint']) await state.jobUpdate(run.id, report(name, 'succeeded'));
    await runs.playJob(run.id, 'ship', 'max');
    assert.equal((await job(run.id, 'ship')).status, 'pending');
    await state.runFinished(run.id, { status: 'succeeded', startedAt: 1, finishedAt: 2, error: null });
    assert.equal((await job(run.id, 'ship')).status, 'pending', 'the second execution runs it');
    assert.equal((await runRow(run.id)).status, 'queued');
    await release(t, run.id);

    await claim(t, run.id);
    await state.runStarted(run.id);
    await state.jobUpdate(run.id, report('ship', 'running'));
    await state.jobUpdate(run.id, report('ship', 'succeeded'));
    await state.runFinished(run.id, { status: 'succeeded', startedAt: 1, finishedAt: 2, error: null });
    assert.equal((await runRow(run.id)).status, 'succeeded');
  });

  test('updates for unknown runs or jobs are ignored', async () => {
    await state.jobUpdate('no-such-run', report('compile', 'running'));
    const run = await newRun();
    await state.jobUpdate(run.id, report('no-such-job', 'running'));
    await state.runFinished('no-such-run', { status: 'succeeded', startedAt: 1, finishedAt: 2, error: null });
    await state.failUnfinished('no-such-run', 'agent_lost', 'x');
    await state.requeued('no-such-run');
    assert.equal((await runRow(run.id)).status, 'queued');
    assert.equal((await job(run.id, 'compile')).status, 'pending');
  });
});
