/**
 * Test reports of jobs: the agent's parsed JUnit cases (protocol/artifact-protocol.ts) become a
 * `test_reports` row per job (counts, duration, coverage) and `test_cases` rows carrying the
 * run's commit and branch, which is what the flaky history reads.
 */
import type { Kysely } from 'kysely';
import type { TestReportMessage } from '../../protocol/artifact-protocol.js';
import { notFound } from '../errors.js';
import type { Database } from '../store/tables.js';
import type { TestReportRow } from '../store/tables-artifacts.js';

/** Rows per INSERT: well under SQLite's and PostgreSQL's bound-parameter limits. */
const BATCH = 500;

export interface RunTestSummary {
  total: number;
  passed: number;
  failed: number;
  errored: number;
  skipped: number;
  durationMs: number;
  /** Mean of the jobs' coverage that report one; null when none does. */
  coverage: number | null;
}

export async function storeTestReport(
  db: Kysely<Database>,
  runId: string,
  report: TestReportMessage,
  now: number,
): Promise<void> {
  const run = await db
    .selectFrom('runs')
    .select(['id', 'project_id', 'number', 'sha', 'ref_kind', 'ref_name'])
    .where('id', '=', runId)
    .executeTakeFirst();
  if (!run) throw notFound('run');
  const job = await db
    .selectFrom('jobs')
    .select('name')
    .where('run_id', '=', runId)
    .where('name', '=', report.job)
    .executeTakeFirst();
  if (!job) throw notFound(`job "${report.job}" of the run`);
  const count = (status: string) => report.cases.filter((c) => c.status === status).length;
  const summary: TestReportRow = {
    run_id: runId,
    job: report.job,
    project_id: run.project_id,
    total: report.cases.length,
    passed: count('passed'),
    failed: count('failed'),
    errored: count('error'),
    skipped: count('skipped'),
    duration_ms: report.cases.reduce((sum, c) => sum + c.durationMs, 0),
    coverage: report.coverage,
    created_at: now,
  };
  const branch = run.ref_kind === 'branch' ? run.ref_name : null;
  await db.transaction().execute(async (trx) => {
    // A repeated report (a retried call, a re-run job) replaces the job's earlier one.
    await trx.deleteFrom('test_cases').where('run_id', '=', runId).where('job', '=', report.job).execute();
    await trx.deleteFrom('test_reports').where('run_id', '=', runId).where('job', '=', report.job).execute();
    await trx.insertInto('test_reports').values(summary).execute();
    for (let i = 0; i < report.cases.length; i += BATCH) {
      await trx
        .insertInto('test_cases')
        .values(
          report.cases.slice(i, i + BATCH).map((c) => ({
            run_id: runId,
            job: report.job,
            project_id: run.project_id,
            run_number: run.number,
            sha: run.sha,
            branch,
            suite: c.suite,
            classname: c.classname,
            name: c.name,
            status: c.status,
            duration_ms: c.durationMs,
            message: c.message,
            output: c.output,
          })),
        )
        .execute();
    }
  });
}

/** Per-run totals over its jobs' reports, for many runs at once (the records table). */
export async function testSummaries(
  db: Kysely<Database>,
  runIds: readonly string[],
): Promise<Map<string, RunTestSummary>> {
  const out = new Map<string, RunTestSummary>();
  if (runIds.length === 0) return out;
  const rows = await db
    .selectFrom('test_reports')
    .selectAll()
    .where('run_id', 'in', [...runIds])
    .execute();
  for (const row of rows) {
    const s = out.get(row.run_id) ?? {
      total: 0,
      passed: 0,
      failed: 0,
      errored: 0,
      skipped: 0,
      durationMs: 0,
      coverage: null,
    };
    s.total += row.total;
    s.passed += row.passed;
    s.failed += row.failed;
    s.errored += row.errored;
    s.skipped += row.skipped;
    s.durationMs += Number(row.duration_ms);
    out.set(row.run_id, s);
  }
  for (const runId of out.keys()) {
    const covered = rows.filter((r) => r.run_id === runId && r.coverage !== null);
    const summary = out.get(runId) as RunTestSummary;
    summary.coverage =
      covered.length === 0
        ? null
        : Math.round((covered.reduce((sum, r) => sum + Number(r.coverage), 0) / covered.length) * 100) / 100;
  }
  return out;
}
