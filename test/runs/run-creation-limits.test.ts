/**
 * Run creation at the limits: thousands of jobs are stored (chunked inserts), a config over the
 * job-count limit or the size limit fails visibly with a readable reason, and a run the database
 * refuses to store still becomes a failed run instead of a dropped push. On SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { MAX_JOBS } from '../../src/pipeline/config/semantics.js';
import { GitSourceService } from '../../src/server/git/source-service.js';
import { jobsInPlanOrder } from '../../src/server/runs/run-queries.js';
import { insertRunWithJobs } from '../../src/server/runs/run-rows.js';
import type { DbRunService } from '../../src/server/runs/run-service.js';
import { silentLogger } from '../support/git.js';
import { type PostgresCluster, startPostgres } from '../support/postgres.js';
import { jobRow, runRow } from '../support/rows.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { type ConfigSources, configSources, insertProject, push, useSources } from './fixtures.js';

/** A pipeline with `count` jobs in one stage. */
function wideConfig(count: number): string {
  const jobs = Array.from({ length: count }, (_, i) => `      j${i}: { script: [echo ${i}] }`);
  return `version: 1\nimage: busybox\nstages:\n  - name: wide\n    jobs:\n${jobs.join('\n')}\n`;
}

function limitsSuite(name: string, start: () => Promise<{ t: TestServer; stop?: () => Promise<void> }>) {
  describe(name, { concurrency: false }, () => {
    let t: TestServer;
    let stop: (() => Promise<void>) | undefined;
    let sources: ConfigSources;
    let runs: DbRunService;
    before(async () => {
      ({ t, stop } = await start());
      sources = configSources();
      runs = useSources(t, sources);
    });
    after(async () => {
      await t?.close();
      await stop?.();
    });

    test('a run with thousands of jobs is stored whole (inserts are chunked under the parameter limits)', async () => {
      const project = await insertProject(t);
      const run = runRow({ project_id: project.id, number: 1 });
      // 15 columns × 5 000 rows = 75 000 parameters: over SQLite's 32 766 and PostgreSQL's 65 535.
      const jobs = Array.from({ length: 5000 }, (_, i) =>
        jobRow({ run_id: run.id, name: `j${i}`, stage: 'wide', job_index: i }),
      );
      await t.server.ctx.db.transaction().execute((trx) => insertRunWithJobs(trx, run, jobs));
      const stored = await jobsInPlanOrder(t.server.ctx.db, run.id);
      assert.equal(stored.length, 5000);
      assert.deepEqual(
        stored.map((j) => j.name),
        jobs.map((j) => j.name),
      );
    });

    test(`a config of ${MAX_JOBS} jobs runs; one more fails with too-many-jobs at the job's line`, async () => {
      const project = await insertProject(t);
      const ok = push();
      sources.configs.set(ok.sha, wideConfig(MAX_JOBS));
      const big = await runs.createRun({ project, event: ok, trigger: 'push', actor: 'alice' });
      assert.equal(big.status, 'queued', big.failure_message ?? '');
      assert.equal((await jobsInPlanOrder(t.server.ctx.db, big.id)).length, MAX_JOBS);

      const over = push();
      sources.configs.set(over.sha, wideConfig(MAX_JOBS + 1));
      const run = await runs.createRun({ project, event: over, trigger: 'push', actor: 'alice' });
      assert.equal(run.status, 'failed');
      assert.equal(run.failure_reason, 'config_error');
      const diagnostics = JSON.parse(run.diagnostics) as { code: string; line: number; col: number }[];
      const tooMany = diagnostics.find((d) => d.code === 'too-many-jobs');
      // Line 6 holds job j0; the first job over the limit is j<MAX_JOBS>.
      assert.deepEqual(tooMany && [tooMany.line, tooMany.col], [6 + MAX_JOBS, 7]);
      assert.match(run.failure_message ?? '', /at most 1000 jobs/);
    });

    test('a run the database refuses to store becomes a visible failed run, not a dropped push', async () => {
      const project = await insertProject(t);
      await refuseJobsOf(t, project.id);
      try {
        const event = push();
        const run = await runs.createRun({ project, event, trigger: 'push', actor: 'alice' });
        assert.equal(run.status, 'failed');
        assert.equal(run.failure_reason, 'backend_error');
        assert.match(run.failure_message ?? '', /could not store this run \(4 jobs\)/);
        const stored = await t.server.ctx.db
          .selectFrom('runs')
          .selectAll()
          .where('project_id', '=', project.id)
          .execute();
        assert.deepEqual(
          stored.map((r) => [r.number, r.status, r.sha]),
          [[1, 'failed', event.sha]],
        );
        assert.deepEqual(await jobsInPlanOrder(t.server.ctx.db, run.id), []);
      } finally {
        await allowJobs(t);
      }
    });
  });
}

/** A trigger that makes the database refuse every job row of `projectId`'s runs. */
async function refuseJobsOf(t: TestServer, projectId: string): Promise<void> {
  const db = t.server.ctx.db;
  if (t.server.ctx.config.databaseUrl.startsWith('postgres')) {
    await sql
      .raw(`CREATE OR REPLACE FUNCTION h2_refuse_jobs() RETURNS trigger AS $$
        BEGIN
          IF (SELECT project_id FROM runs WHERE id = NEW.run_id) = '${projectId}' THEN
            RAISE EXCEPTION 'refused by test';
          END IF;
          RETURN NEW;
        END $$ LANGUAGE plpgsql`)
      .execute(db);
    await sql
      .raw(
        'CREATE TRIGGER h2_refuse_jobs BEFORE INSERT ON jobs FOR EACH ROW EXECUTE FUNCTION h2_refuse_jobs()',
      )
      .execute(db);
  } else {
    await sql
      .raw(`CREATE TRIGGER h2_refuse_jobs BEFORE INSERT ON jobs
        WHEN (SELECT project_id FROM runs WHERE id = NEW.run_id) = '${projectId}'
        BEGIN SELECT RAISE(ABORT, 'refused by test'); END`)
      .execute(db);
  }
}

async function allowJobs(t: TestServer): Promise<void> {
  const postgres = t.server.ctx.config.databaseUrl.startsWith('postgres');
  await sql.raw(`DROP TRIGGER h2_refuse_jobs${postgres ? ' ON jobs' : ''}`).execute(t.server.ctx.db);
}

limitsSuite('run creation limits (SQLite)', async () => ({ t: await startTestServer() }));

limitsSuite('run creation limits (PostgreSQL)', async () => {
  const cluster: PostgresCluster = await startPostgres();
  const t = await startTestServer({ SLIPWAY_DATABASE_URL: await cluster.createDatabase('limits') });
  return { t, stop: () => cluster.stop() };
});

describe('a .slipway.yml over the size limit', () => {
  let t: TestServer;
  let dataDir: string;
  let dir: string;
  before(async () => {
    t = await startTestServer();
    dataDir = await mkdtemp(join(tmpdir(), 'slipway-limits-'));
    dir = await mkdtemp(join(tmpdir(), 'slipway-limits-src-'));
  });
  after(async () => {
    await t.close();
    await rm(dataDir, { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
  });

  test('fails the run saying the file is too large and naming the limit', async () => {
    const sources = new GitSourceService({ dataDir, log: silentLogger(), maxFileBytes: 1024 });
    const runs = useSources(t, sources);
    const project = await insertProject(t);
    await writeFile(join(dir, '.slipway.yml'), `${wideConfig(1)}# ${'x'.repeat(2000)}\n`);
    const sha = await sources.commitDirectory(project, dir, 'main', 'big config');
    const run = await runs.createRun({ project, event: push({ sha }), trigger: 'push', actor: 'alice' });
    assert.equal(run.status, 'failed');
    assert.equal(run.failure_reason, 'config_error');
    assert.match(run.failure_message ?? '', /too large/);
    assert.match(run.failure_message ?? '', /1024 bytes/);
    const diagnostics = JSON.parse(run.diagnostics) as { code: string }[];
    assert.deepEqual(
      diagnostics.map((d) => d.code),
      ['file-too-large'],
    );
  });
});
