/**
 * The server side of issue #10's run-time keys, with a real server (SQLite) and a real agent
 * loop on the fake backend: a manual job after a failure is refused (409 `upstream_failed`) and
 * ends skipped; a retried job's attempts are in the API; `allow_failure: {exit_codes}` is what
 * the record stores; a manual run of a `[skip ci]` commit runs; `latest` is planned on the
 * default branch.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { PipelineEvent } from '../../src/domain/event.js';
import type { Plan } from '../../src/pipeline/plan/plan.js';
import type { RunDetail } from '../../src/server/runs/run-json.js';
import type { DbRunService } from '../../src/server/runs/run-service.js';
import type { ProjectRow, RunRow } from '../../src/server/store/tables.js';
import { startFakeAgent } from '../support/fake-agent.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { until } from '../support/wait.js';
import { type ConfigSources, configSources, insertProject, post, push, useSources } from './fixtures.js';

const FAILING_THEN_MANUAL = `version: 1
image: busybox
stages:
  - name: test
    jobs:
      unit: { script: ['exit 1'] }
      flaky: { script: [echo try, 'exit 3'], retry: 1, allow_failure: { exit_codes: [3] } }
  - name: deploy
    jobs:
      ship: { script: [echo ship], when: manual }
`;

describe('flow keys on the server', () => {
  let t: TestServer;
  let sources: ConfigSources;
  let runs: DbRunService;
  let project: ProjectRow;
  let stopAgent: () => Promise<void> = async () => {};
  before(async () => {
    t = await startTestServer();
    sources = configSources(FAILING_THEN_MANUAL);
    runs = useSources(t, sources);
    project = await insertProject(t);
    stopAgent = await startFakeAgent(t, 'flow-agent');
  });
  after(async () => {
    await stopAgent();
    await t.close();
  });

  const detail = async (run: RunRow): Promise<RunDetail> =>
    (await (await t.api(`/api/projects/${project.name}/runs/${run.number}`)).json()) as RunDetail;
  const ended = (run: RunRow) =>
    until(`run #${run.number} to end`, async () =>
      ['succeeded', 'failed', 'canceled', 'skipped'].includes((await detail(run)).status),
    );

  test('a manual job after a failure: skipped in the record, play refused with 409 upstream_failed', async () => {
    const run = await runs.createRun({ project, event: push(), trigger: 'push', actor: 'alice' });
    await ended(run);
    const d = await detail(run);
    assert.equal(d.status, 'failed');
    const ship = d.jobs.find((j) => j.name === 'ship');
    assert.equal(ship?.status, 'skipped');
    assert.equal(ship?.skip?.code, 'upstream_failed');
    assert.match(ship?.skip?.message ?? '', /"unit" failed/);
    const res = await t.api(`/api/projects/${project.name}/runs/${run.number}/jobs/ship/play`, post());
    assert.equal(res.status, 409);
  });

  test('play is refused while the manual job still waits but an earlier job failed', async () => {
    // No agent takes this one before we fail `unit` by hand: the gate is the server's own.
    sources.configs.set('e'.repeat(40), FAILING_THEN_MANUAL.replace("['exit 1']", '[sleep 30]'));
    const run = await runs.createRun({
      project,
      event: push({ sha: 'e'.repeat(40) }),
      trigger: 'push',
      actor: 'alice',
    });
    await until(
      'unit runs',
      async () => (await detail(run)).jobs.find((j) => j.name === 'unit')?.status === 'running',
    );
    await t.server.ctx.db
      .updateTable('jobs')
      .set({ status: 'failed', failure_reason: 'exit_code', exit_code: 1 })
      .where('run_id', '=', run.id)
      .where('name', '=', 'unit')
      .execute();
    const res = await t.api(`/api/projects/${project.name}/runs/${run.number}/jobs/ship/play`, post());
    assert.equal(res.status, 409);
    const body = (await res.json()) as { error: { code: string; reason?: string; message: string } };
    assert.equal(body.error.code, 'conflict');
    assert.equal(body.error.reason, 'upstream_failed');
    assert.match(body.error.message, /job "ship" cannot run: "unit" failed/);
    await runs.cancel(run.id, 'alice');
  });

  test('retried attempts are in the API; allow_failure exit codes decide the stored allowance', async () => {
    const run = await runs.createRun({ project, event: push(), trigger: 'push', actor: 'alice' });
    await ended(run);
    const flaky = (await detail(run)).jobs.find((j) => j.name === 'flaky');
    assert.equal(flaky?.status, 'failed');
    assert.equal(flaky?.allowFailure, true, 'exit code 3 is allowed');
    assert.equal(flaky?.retries.length, 1);
    assert.equal(flaky?.retries[0]?.exitCode, 3);
    assert.equal(flaky?.retries[0]?.attempt, 1);
    const lines = await t.server.ctx.logs.read(run.id, 'flaky', 0, 1000);
    assert.equal(lines.filter((l) => l.text === 'try').length, 2, 'the log keeps both attempts');
  });

  test('a manual run of a [skip ci] commit runs; a push of it does not', async () => {
    const sha = 'c'.repeat(40);
    sources.configs.set(
      sha,
      'version: 1\nimage: busybox\nstages: [{ name: s, jobs: { a: { script: [echo a] } } }]\n',
    );
    const event: PipelineEvent = { ...push({ sha }), message: 'docs [skip ci]' };
    const pushed = await runs.createRun({ project, event, trigger: 'push', actor: 'alice' });
    assert.equal(pushed.status, 'skipped');
    const manual = await runs.createRun({
      project,
      event: { ...event, kind: 'manual' },
      trigger: 'manual',
      actor: 'alice',
    });
    assert.equal(manual.status, 'queued');
    await ended(manual);
    assert.equal((await detail(manual)).status, 'succeeded');
  });

  test('build jobs of the default branch are planned with latest; other branches are not', async () => {
    const sha = 'b'.repeat(40);
    sources.configs.set(
      sha,
      'version: 1\nstages: [{ name: s, jobs: { image: { build: { push: false } } } }]\n',
    );
    const tagsOf = async (branch: string) => {
      const run = await runs.createRun({
        project,
        event: push({ sha, ref: { kind: 'branch', name: branch } }),
        trigger: 'push',
        actor: 'alice',
      });
      const row = await t.server.ctx.db
        .selectFrom('runs')
        .select('plan')
        .where('id', '=', run.id)
        .executeTakeFirstOrThrow();
      await runs.cancel(run.id, 'alice');
      return (JSON.parse(row.plan ?? '{}') as Plan).stages[0]?.jobs[0]?.build?.tags;
    };
    assert.deepEqual(await tagsOf(project.default_branch), [`${project.default_branch}-bbbbbbb`, 'latest']);
    assert.deepEqual(await tagsOf('feature-x'), ['feature-x-bbbbbbb']);
  });
});
