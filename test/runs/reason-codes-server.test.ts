/**
 * Issue #14: what the server says about a run reaches the API as a code with parameters (the
 * web UI translates them), beside the English message. A real server on SQLite and on
 * PostgreSQL (migration 030's columns), a real agent loop on the fake backend: a job that exits
 * 2, one that times out, a `changes:` skip, an upstream-failed skip, the run's own failure, and
 * a refused play (409 with reason and params).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunDetail } from '../../src/api/runs.js';
import type { DbRunService } from '../../src/server/runs/run-service.js';
import type { ProjectRow, RunRow } from '../../src/server/store/tables.js';
import { startFakeAgent } from '../support/fake-agent.js';
import { type PostgresCluster, startPostgres } from '../support/postgres.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { until } from '../support/wait.js';
import { configSources, insertProject, post, push, useSources } from './fixtures.js';

const CONFIG = `version: 1
image: busybox
stages:
  - name: test
    jobs:
      unit: { script: [echo testing, 'exit 2'] }
      slow: { script: ['sleep 30'], timeout: 1s }
      docs: { script: [echo docs], changes: ['docs/**', '*.md'] }
  - name: publish
    jobs:
      report: { script: [echo report] }
      ship: { script: [echo ship], when: manual }
`;

let cluster: PostgresCluster | null = null;
after(async () => {
  await cluster?.stop();
});

for (const store of ['sqlite', 'postgres'] as const) {
  describe(`reason codes and params on ${store}`, () => {
    let t: TestServer;
    let runs: DbRunService;
    let project: ProjectRow;
    let stopAgent: () => Promise<void> = async () => {};
    let d: RunDetail;
    let run: RunRow;

    before(async () => {
      let env: Record<string, string> = {};
      if (store === 'postgres') {
        cluster ??= await startPostgres();
        env = { SLIPWAY_DATABASE_URL: await cluster.createDatabase('reasons') };
      }
      t = await startTestServer(env);
      runs = useSources(t, configSources(CONFIG));
      project = await insertProject(t);
      stopAgent = await startFakeAgent(t, 'reasons');
      const event = push({
        changedFiles: ['src/a.ts', 'src/b.ts', 'src/c.ts', 'src/d.ts', 'src/e.ts', 'src/f.ts'],
      });
      run = await runs.createRun({ project, event, trigger: 'push', actor: 'alice' });
      const path = `/api/projects/${project.name}/runs/${run.number}`;
      await until(
        `run #${run.number} to end`,
        async () => {
          d = (await (await t.api(path)).json()) as RunDetail;
          return ['succeeded', 'failed', 'canceled', 'skipped'].includes(d.status);
        },
        { timeoutMs: 60_000, intervalMs: 25 },
      );
    });
    after(async () => {
      await stopAgent();
      await t.close();
    });

    const job = (name: string) => {
      const found = d.jobs.find((j) => j.name === name);
      assert.ok(found, `job ${name} in ${JSON.stringify(d.jobs.map((j) => j.name))}`);
      return found;
    };

    test('a job that exits non-zero: exit_code with the code', () => {
      const unit = job('unit');
      assert.equal(unit.status, 'failed');
      assert.deepEqual(unit.failure?.reason, 'exit_code');
      assert.deepEqual(unit.failure?.params, { code: 2 });
      assert.match(unit.failure?.message ?? '', /exited with code 2/);
    });

    test('a job that times out: timeout with its limit in seconds', () => {
      const slow = job('slow');
      assert.equal(slow.status, 'failed');
      assert.equal(slow.failure?.reason, 'timeout');
      assert.deepEqual(slow.failure?.params, { seconds: 1 });
    });

    test('a changes: skip names the globs and the changed files (five, and how many more)', () => {
      const docs = job('docs');
      assert.equal(docs.status, 'skipped');
      assert.equal(docs.skip?.code, 'changes');
      assert.deepEqual(docs.skip?.params, {
        globs: ['docs/**', '*.md'],
        files: ['src/a.ts', 'src/b.ts', 'src/c.ts', 'src/d.ts', 'src/e.ts'],
        more: 1,
      });
      assert.match(docs.skip?.message ?? '', /no changed file matches changes: docs\/\*\*, \*\.md/);
    });

    test('an upstream-failed skip names the job and how it ended', () => {
      const report = job('report');
      assert.equal(report.status, 'skipped');
      assert.equal(report.skip?.code, 'upstream_failed');
      assert.equal(report.skip?.params?.state, 'failed');
      assert.ok(['unit', 'slow'].includes(String(report.skip?.params?.job)), JSON.stringify(report.skip));
      const ship = job('ship');
      assert.equal(ship.skip?.code, 'upstream_failed', 'a blocked manual job is skipped when the run ends');
      assert.equal(ship.skip?.params?.state, 'failed');
    });

    test("the run's failure names the job and carries the job's params", () => {
      assert.equal(d.status, 'failed');
      const failure = d.failure;
      assert.ok(failure);
      assert.ok(['unit', 'slow'].includes(String(failure.params?.job)), JSON.stringify(failure));
      const cause = job(String(failure.params?.job)).failure;
      assert.equal(failure.reason, cause?.reason);
      assert.deepEqual({ ...failure.params, job: undefined }, { ...cause?.params, job: undefined });
    });

    test('playing a job that is not waiting answers 409 with reason and params', async () => {
      const res = await t.api(`/api/projects/${project.name}/runs/${run.number}/jobs/ship/play`, post());
      assert.equal(res.status, 409);
      const body = (await res.json()) as { error: { reason?: string; params?: Record<string, unknown> } };
      assert.equal(body.error.reason, 'job_not_manual');
      assert.deepEqual(body.error.params, { job: 'ship', status: 'skipped' });
    });

    test('the OpenAPI document describes reason and params of error answers', async () => {
      const doc = (await (await t.api('/api/openapi.json')).json()) as {
        components: {
          schemas: { Error: { properties: { error: { properties: Record<string, unknown> } } } };
        };
      };
      const fields = Object.keys(doc.components.schemas.Error.properties.error.properties);
      for (const field of ['code', 'message', 'where', 'reason', 'params'])
        assert.ok(fields.includes(field), field);
    });

    test('a row from before migration 030 (no params) still reads, with its message', async () => {
      await t.server.ctx.db
        .updateTable('jobs')
        .set({ failure_params: null })
        .where('run_id', '=', run.id)
        .where('name', '=', 'unit')
        .execute();
      const old = (await (
        await t.api(`/api/projects/${project.name}/runs/${run.number}`)
      ).json()) as RunDetail;
      const unit = old.jobs.find((j) => j.name === 'unit');
      assert.equal(unit?.failure?.reason, 'exit_code');
      assert.equal(unit?.failure?.params, undefined);
      assert.match(unit?.failure?.message ?? '', /exited with code 2/);
    });
  });
}
