/** Creating runs: numbering, planned jobs, the queue entry, and config problems as failed runs. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Plan } from '../../src/pipeline/plan/plan.js';
import { jobsInPlanOrder } from '../../src/server/runs/run-queries.js';
import type { DbRunService } from '../../src/server/runs/run-service.js';
import type { ProjectEvent } from '../../src/server/services.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { type ConfigSources, configSources, insertProject, push, useSources } from './fixtures.js';

describe('createRun', () => {
  let t: TestServer;
  let sources: ConfigSources;
  let runs: DbRunService;
  before(async () => {
    t = await startTestServer();
    sources = configSources();
    runs = useSources(t, sources);
  });
  after(() => t.close());

  const jobsOf = (runId: string) => jobsInPlanOrder(t.server.ctx.db, runId);
  const queueOf = (runId: string) =>
    t.server.ctx.db.selectFrom('queue').selectAll().where('run_id', '=', runId).execute();

  test('numbers count up per project, also when runs are created at once', async () => {
    const a = await insertProject(t);
    const b = await insertProject(t);
    const first = await runs.createRun({ project: a, event: push(), trigger: 'push', actor: 'alice' });
    const other = await runs.createRun({ project: b, event: push(), trigger: 'push', actor: 'alice' });
    assert.equal(first.number, 1);
    assert.equal(other.number, 1);
    const many = await Promise.all(
      Array.from({ length: 20 }, () =>
        runs.createRun({ project: a, event: push(), trigger: 'push', actor: 'bob' }),
      ),
    );
    assert.deepEqual(
      many.map((r) => r.number).sort((x, y) => x - y),
      Array.from({ length: 20 }, (_, i) => i + 2),
    );
  });

  test('a planned run is queued with its jobs, in one piece', async () => {
    const project = await insertProject(t);
    const event = push({ ref: { kind: 'branch', name: 'feature/login' } });
    const seen: ProjectEvent[] = [];
    const off = t.server.ctx.events.subscribe(project.id, (e) => seen.push(e));
    const run = await runs.createRun({ project, event, trigger: 'push', actor: 'alice' });
    off();

    assert.equal(run.status, 'queued');
    assert.equal(run.record, `feature-login-${event.sha.slice(0, 7)}`);
    assert.equal(run.trigger, 'push');
    assert.equal(run.failure_reason, null);
    const plan = JSON.parse(run.plan as string) as Plan;
    assert.equal(plan.record, run.record);

    const jobs = await jobsOf(run.id);
    assert.deepEqual(
      jobs.map((j) => [j.name, j.stage, j.status, j.allow_failure, j.manual]),
      [
        ['compile', 'build', 'pending', 0, 0],
        ['unit', 'test', 'pending', 0, 0],
        ['lint', 'test', 'pending', 1, 0],
        ['ship', 'deploy', 'manual', 1, 1],
      ],
    );
    const queue = await queueOf(run.id);
    assert.equal(queue.length, 1);
    assert.equal(queue[0]?.status, 'queued');
    assert.deepEqual(JSON.parse(queue[0]?.selection ?? ''), { jobs: [] });
    assert.equal(queue[0]?.reuse_workspace, 0);

    assert.deepEqual(
      seen.map((e) => e.type),
      ['job', 'job', 'job', 'job', 'run'],
    );
    const summary = seen.at(-1)?.data as { number: number; status: string; stages: { name: string }[] };
    assert.equal(summary.number, run.number);
    assert.deepEqual(
      summary.stages.map((s) => s.name),
      ['build', 'test', 'deploy'],
    );
  });

  test('no .slipway.yml: the run fails with config_error, nothing is queued', async () => {
    const project = await insertProject(t);
    const event = push();
    sources.configs.set(event.sha, null);
    const run = await runs.createRun({ project, event, trigger: 'push', actor: 'alice' });
    assert.equal(run.status, 'failed');
    assert.equal(run.failure_reason, 'config_error');
    assert.equal(run.failure_message, `no .slipway.yml at ${event.sha}`);
    assert.equal(run.number, 1);
    assert.equal(run.plan, null);
    assert.notEqual(run.finished_at, null);
    assert.deepEqual(await queueOf(run.id), []);
  });

  test('lint errors: the run fails with config_error and keeps the diagnostics', async () => {
    const project = await insertProject(t);
    const event = push();
    sources.configs.set(
      event.sha,
      'version: 1\nstages:\n  - name: build\n    jobs:\n      compile: { scrpt: [make] }\n',
    );
    const run = await runs.createRun({ project, event, trigger: 'push', actor: 'alice' });
    assert.equal(run.status, 'failed');
    assert.equal(run.failure_reason, 'config_error');
    assert.match(run.failure_message ?? '', /^\.slipway\.yml has \d+ errors? — first: \d+:\d+ /);
    const diagnostics = JSON.parse(run.diagnostics) as { severity: string; line: number }[];
    assert.ok(
      diagnostics.some((d) => d.severity === 'error' && d.line === 5),
      JSON.stringify(diagnostics),
    );
    assert.deepEqual(await queueOf(run.id), []);
    assert.deepEqual(await jobsOf(run.id), []);
  });

  test('a source that cannot be read still gives a visible failed run', async () => {
    const project = await insertProject(t);
    const broken = { ...sources, readFile: () => Promise.reject(new Error('fatal: /secret/path')) };
    const run = await useSources(t, broken).createRun({
      project,
      event: push(),
      trigger: 'push',
      actor: 'a',
    });
    runs = useSources(t, sources);
    assert.equal(run.status, 'failed');
    assert.equal(run.failure_reason, 'config_error');
    assert.doesNotMatch(run.failure_message ?? '', /secret/);
  });

  test('[skip ci]: the run is skipped, every job skipped, nothing queued', async () => {
    const project = await insertProject(t);
    const run = await runs.createRun({
      project,
      event: push({ message: 'docs only [skip ci]' }),
      trigger: 'push',
      actor: 'alice',
    });
    assert.equal(run.status, 'skipped');
    const jobs = await jobsOf(run.id);
    assert.ok(jobs.every((j) => j.status === 'skipped' && j.skip_code === 'skip_ci'));
    assert.deepEqual(await queueOf(run.id), []);
  });

  test('a run with only manual jobs waits in manual without an execution', async () => {
    const project = await insertProject(t);
    const event = push();
    sources.configs.set(
      event.sha,
      'version: 1\nimage: busybox\nstages:\n  - name: deploy\n    jobs:\n      ship: { script: [x], when: manual }\n',
    );
    const run = await runs.createRun({ project, event, trigger: 'push', actor: 'alice' });
    assert.equal(run.status, 'manual');
    assert.deepEqual(await queueOf(run.id), []);
  });

  test('manual variables reach every job through the stored plan', async () => {
    const project = await insertProject(t);
    const run = await runs.createRun({
      project,
      event: push({ kind: 'manual' }),
      trigger: 'manual',
      actor: 'max',
      variables: { DEPLOY_TARGET: 'staging' },
    });
    const plan = JSON.parse(run.plan as string) as Plan;
    for (const job of plan.stages.flatMap((s) => s.jobs)) assert.equal(job.env.DEPLOY_TARGET, 'staging');
    assert.deepEqual(JSON.parse(run.variables), { DEPLOY_TARGET: 'staging' });
    assert.equal(run.actor, 'max');
  });
});
