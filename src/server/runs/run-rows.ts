import { sql, type Transaction } from 'kysely';
import type { Plan, PlanJob } from '../../pipeline/plan/plan.js';
import { appendDeliveryEvents } from '../events/delivery-event-log.js';
import type { Database, JobRow, RunRow } from '../store/tables.js';
import { storedParams } from './reason-params.js';

type Trx = Transaction<Database>;

/**
 * Run numbers are per project, 1, 2, 3… with no gaps or repeats: allocated by an upsert on the
 * `counters` row `run:<projectId>` inside the transaction that inserts the run, so a number is
 * used only when its run is committed.
 */
export async function allocateRunNumber(trx: Trx, projectId: string): Promise<number> {
  const row = await trx
    .insertInto('counters')
    .values({ key: `run:${projectId}`, value: 1 })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: sql<number>`counters.value + 1` }))
    .returning('value')
    .executeTakeFirstOrThrow();
  return row.value;
}

/** One row per job of the plan, in plan order, as a fresh run starts them. */
export function plannedJobRows(runId: string, plan: Plan): JobRow[] {
  return plan.stages.flatMap((stage, stageIndex) =>
    stage.jobs.map((job, jobIndex) => plannedJobRow(runId, plan, job, stageIndex, jobIndex)),
  );
}

function plannedJobRow(
  runId: string,
  plan: Plan,
  job: PlanJob,
  stageIndex: number,
  jobIndex: number,
): JobRow {
  const skip = plan.skip ?? job.skip;
  return {
    run_id: runId,
    name: job.name,
    stage: job.stage,
    stage_index: stageIndex,
    job_index: jobIndex,
    status: skip ? 'skipped' : job.manual ? 'manual' : 'pending',
    allow_failure: job.allowFailure ? 1 : 0,
    manual: job.manual ? 1 : 0,
    interruptible: job.interruptible ? 1 : 0,
    failure_reason: null,
    failure_message: null,
    skip_code: skip?.code ?? null,
    skip_message: skip?.message ?? null,
    skip_params: storedParams(skip?.params),
    exit_code: null,
    started_at: null,
    finished_at: null,
  };
}

/** Skips that say the job had no chance to run: resuming gives it one. */
// `when_unmet`: an on_failure job decides again once the failed jobs ran again.
const RESUMABLE_SKIPS = new Set(['upstream_failed', 'needs_not_run', 'run_canceled', 'when_unmet']);

/**
 * Jobs of a run that resumes `parent` from its failure: what succeeded is copied as it was
 * (same times, so stage durations stay true), what failed, was canceled or was skipped because
 * of those runs again (pending); filtered jobs stay skipped and unplayed manual jobs stay manual.
 */
export function resumedJobRows(runId: string, plan: Plan, parentJobs: readonly JobRow[]): JobRow[] {
  const before = new Map(parentJobs.map((j) => [j.name, j]));
  return plannedJobRows(runId, plan).map((row) => {
    const old = before.get(row.name);
    if (!old) return row;
    switch (old.status) {
      case 'succeeded':
        return { ...old, run_id: runId };
      case 'failed':
      case 'canceled':
        return { ...row, status: 'pending' };
      case 'skipped':
        if (!RESUMABLE_SKIPS.has(old.skip_code ?? '')) return { ...old, run_id: runId };
        // A manual job nobody played stays a button, not an automatic step.
        return {
          ...row,
          status: row.manual ? 'manual' : 'pending',
          skip_code: null,
          skip_message: null,
          skip_params: null,
        };
      default:
        return row;
    }
  });
}

/**
 * The status a run is created in: skipped when nothing can run, `manual` when only manual jobs
 * are left to click, otherwise queued (and an execution is enqueued with it).
 */
export function initialRunStatus(plan: Plan, jobs: readonly JobRow[]): 'skipped' | 'manual' | 'queued' {
  if (plan.skip || jobs.every((j) => j.status === 'skipped')) return 'skipped';
  if (jobs.some((j) => j.status === 'pending')) return 'queued';
  return 'manual';
}

/**
 * Bound on the bound parameters of one INSERT. SQLite refuses a statement with more than
 * 32 766 (older builds: 999) and PostgreSQL more than 65 535; a run of a few thousand jobs
 * (15 columns each) passes that. Keeping well under the smallest of them costs a few more
 * statements inside the same transaction, nothing else.
 */
export const MAX_INSERT_PARAMETERS = 900;

export async function insertRunWithJobs(trx: Trx, run: RunRow, jobs: readonly JobRow[]): Promise<void> {
  await trx.insertInto('runs').values(run).execute();
  // run.created is stored with the run (delivery history for metrics). It is not dispatched
  // live: nothing follows a run's creation yet, and every creator would have to hand it on.
  await appendDeliveryEvents(
    trx,
    [
      {
        type: 'run.created',
        projectId: run.project_id,
        runId: run.id,
        releaseId: null,
        data: {
          number: run.number,
          status: run.status,
          trigger: run.trigger,
          ref: run.ref_name,
          sha: run.sha,
        },
      },
    ],
    run.created_at,
  );
  const first = jobs[0];
  if (!first) return;
  const perRow = Object.keys({ ...first, attempt: 1 }).length;
  const rowsPerInsert = Math.max(1, Math.floor(MAX_INSERT_PARAMETERS / perRow));
  for (let at = 0; at < jobs.length; at += rowsPerInsert) {
    await trx
      .insertInto('jobs')
      // Every row names the same columns: a multi-row insert fills a column one row lacks with
      // NULL, not its default (copied rows of a resumed run carry `attempt`, planned ones not).
      .values(jobs.slice(at, at + rowsPerInsert).map((j) => ({ ...j, attempt: j.attempt ?? 1 })))
      .execute();
  }
}
