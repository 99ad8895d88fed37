/**
 * Test counts and coverage of the records table and the project page header, on SQLite and
 * PostgreSQL (sums and averages come back as strings there): GET …/runs carries each run's
 * counts, GET …/overview the newest default-branch run's, GET …/commit what a manual run would
 * build. Also: the run list reads all of it in one query whatever the page size.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunSummary } from '../../src/server/runs/run-json.js';
import type { DbRunService } from '../../src/server/runs/run-service.js';
import type { ProjectRow } from '../../src/server/store/tables.js';
import { type PostgresCluster, startPostgres } from '../support/postgres.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { type ConfigSources, configSources, insertProject, push, useSources } from './fixtures.js';

const stores: { name: string; env: () => Promise<Record<string, string>> }[] = [
  { name: 'SQLite', env: async () => ({}) },
  {
    name: 'PostgreSQL',
    env: async () => ({ SLIPWAY_DATABASE_URL: await cluster.createDatabase('testcounts') }),
  },
];
let cluster: PostgresCluster;

for (const store of stores) {
  describe(`test counts in the records and the project header (${store.name})`, () => {
    let t: TestServer;
    let runs: DbRunService;
    let sources: ConfigSources;
    let project: ProjectRow;
    const ids: string[] = [];
    before(async () => {
      if (store.name === 'PostgreSQL') cluster = await startPostgres();
      t = await startTestServer(await store.env());
      sources = configSources();
      sources.refs.set('tag:v2.0.0', 'b'.repeat(40));
      runs = useSources(t, sources);
      project = await insertProject(t, 'counts');
      // 1: main with two reports, 2: main without, 3: feature with one, 4: main running (none yet).
      for (const name of ['main', 'main', 'feature/x', 'main']) {
        const run = await runs.createRun({
          project,
          event: push({ ref: { kind: 'branch', name } }),
          trigger: 'push',
          actor: 'alice',
        });
        ids.push(run.id);
      }
      const report = (
        runId: string | undefined,
        job: string,
        [passed, failed, errored, skipped]: [number, number, number, number],
        coverage: number | null,
      ) => ({
        run_id: runId ?? '',
        job,
        project_id: project.id,
        total: passed + failed + errored + skipped,
        passed,
        failed,
        errored,
        skipped,
        duration_ms: 100,
        coverage,
        created_at: 1,
      });
      await t.server.ctx.db
        .insertInto('test_reports')
        .values([
          report(ids[0], 'unit', [10, 1, 1, 2], 80),
          report(ids[0], 'lint', [5, 0, 0, 0], 61.5),
          report(ids[2], 'unit', [3, 0, 0, 1], null),
        ])
        .execute();
    });
    after(async () => {
      await t?.close();
      if (store.name === 'PostgreSQL') await cluster?.stop();
    });

    test('each record carries its passed/failed/skipped and mean coverage, null without a report', async () => {
      const res = await t.api('/api/projects/counts/runs');
      assert.equal(res.status, 200, await res.clone().text());
      const body = (await res.json()) as { runs: RunSummary[] };
      const byNumber = new Map(body.runs.map((r) => [r.number, r.tests]));
      assert.deepEqual(byNumber.get(1), { total: 19, passed: 15, failed: 2, skipped: 2, coverage: 70.75 });
      assert.equal(byNumber.get(2), null);
      assert.deepEqual(byNumber.get(3), { total: 4, passed: 3, failed: 0, skipped: 1, coverage: null });
      assert.equal(byNumber.get(4), null);
    });

    test('the run list is one query for the runs and their counts, whatever the page size', async () => {
      const selects: string[] = [];
      const db = t.server.ctx.db;
      // Kysely's executor is the one place every query passes: count those that read test_reports.
      const executor = db.getExecutor();
      const original = executor.executeQuery.bind(executor);
      executor.executeQuery = ((query: { sql: string }) => {
        selects.push(query.sql);
        return original(query as never);
      }) as unknown as typeof executor.executeQuery;
      try {
        assert.equal((await t.api('/api/projects/counts/runs?limit=1')).status, 200);
        const small = selects.filter((s) => s.includes('test_reports')).length;
        selects.length = 0;
        assert.equal((await t.api('/api/projects/counts/runs?limit=4')).status, 200);
        const large = selects.filter((s) => s.includes('test_reports')).length;
        assert.equal(small, 1);
        assert.equal(large, 1, 'four runs, still one query reading test_reports');
      } finally {
        executor.executeQuery = original;
      }
    });

    test('the overview has the newest default-branch run that reported tests', async () => {
      const res = await t.api('/api/projects/counts/overview');
      assert.equal(res.status, 200, await res.clone().text());
      const body = (await res.json()) as { defaultBranch: string; image: unknown; tests: unknown };
      assert.equal(body.defaultBranch, 'main');
      assert.equal(body.image, null);
      assert.deepEqual(
        { ...(body.tests as Record<string, unknown>), createdAt: 0 },
        {
          total: 19,
          passed: 15,
          failed: 2,
          skipped: 2,
          coverage: 70.75,
          runNumber: 1,
          record: (body.tests as { record: string }).record,
          createdAt: 0,
        },
      );
    });

    test('the commit a branch or tag points at; unknown refs 404, bad names 400', async () => {
      const main = await t.api('/api/projects/counts/commit');
      assert.equal(main.status, 200, await main.clone().text());
      assert.deepEqual(await main.json(), {
        ref: { kind: 'branch', name: 'main' },
        sha: 'a'.repeat(40),
        shortSha: 'aaaaaaa',
        message: 'commit aaaaaaa',
        author: 'alice',
        time: 1_700_000_000_000,
      });
      const tag = (await (await t.api('/api/projects/counts/commit?tag=v2.0.0')).json()) as { sha: string };
      assert.equal(tag.sha, 'b'.repeat(40));
      assert.equal((await t.api('/api/projects/counts/commit?branch=nope')).status, 404);
      assert.equal((await t.api('/api/projects/counts/commit?branch=a..b')).status, 400);
      assert.equal((await t.api('/api/projects/counts/commit?branch=main&tag=v2.0.0')).status, 400);
      assert.equal((await t.api('/api/projects/nothere/commit')).status, 404);
    });
  });
}
