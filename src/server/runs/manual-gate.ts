import type { Transaction } from 'kysely';
import type { Plan } from '../../pipeline/plan/plan.js';
import type { Database, JobRow } from '../store/tables.js';
import { updateJob } from './run-queries.js';

/**
 * A manual job after a failure is no longer runnable: a `deploy` button of a later stage must
 * not ship what failed its tests. A manual job is blocked when a job it depends on (its `needs`,
 * or every job of the earlier stages) failed without being allowed to, was canceled, or was
 * skipped because of an earlier failure. Jobs that do not exist for the run (filtered, `when:
 * never`, an on_failure job nothing called for) block nothing.
 *
 * Returns the jobs' names with the sentence saying why, for the play refusal (409
 * `upstream_failed`) and for the record (the job becomes skipped when its run ends).
 */
const BLOCKING_SKIPS = new Set(['upstream_failed', 'run_canceled', 'needs_not_run']);

/** The job that blocks, and how it ended (the `upstream_failed` skip's parameters). */
export interface Blocker {
  message: string;
  params: { job: string; state: 'failed' | 'canceled' | 'skipped' };
}

export function blockedManualJobs(plan: Plan, rows: readonly JobRow[]): Map<string, Blocker> {
  const byName = new Map(rows.map((r) => [r.name, r]));
  const blocked = new Map<string, Blocker>();
  for (const job of plan.stages.flatMap((s) => s.jobs)) {
    if (byName.get(job.name)?.status !== 'manual') continue;
    for (const dep of job.dependsOn) {
      const state = blocking(byName.get(dep));
      if (state) {
        const said = state === 'failed' ? 'failed' : `was ${state}`;
        blocked.set(job.name, { message: `"${dep}" ${said}`, params: { job: dep, state } });
        break;
      }
    }
  }
  return blocked;
}

function blocking(row: JobRow | undefined): Blocker['params']['state'] | null {
  if (!row) return null;
  if (row.status === 'failed' && row.allow_failure !== 1) return 'failed';
  if (row.status === 'canceled') return 'canceled';
  if (row.status === 'skipped' && row.skip_code !== null && BLOCKING_SKIPS.has(row.skip_code))
    return 'skipped';
  return null;
}

/**
 * When an execution ends: the run's blocked manual jobs become skipped (`upstream_failed`), so
 * the record says why and no page offers them. `jobs` are updated in place; returns those changed.
 */
export async function skipBlockedManualJobs(
  trx: Transaction<Database>,
  runId: string,
  jobs: JobRow[],
  reserved: ReadonlySet<string>,
): Promise<JobRow[]> {
  if (!jobs.some((j) => j.status === 'manual')) return [];
  const run = await trx.selectFrom('runs').select('plan').where('id', '=', runId).executeTakeFirst();
  if (!run?.plan) return [];
  const blocked = blockedManualJobs(JSON.parse(run.plan) as Plan, jobs);
  const changed: JobRow[] = [];
  for (const job of jobs) {
    const why = blocked.get(job.name);
    if (why === undefined || reserved.has(job.name)) continue;
    const patch = {
      status: 'skipped',
      skip_code: 'upstream_failed',
      skip_message: `not run: ${why.message}`,
      skip_params: JSON.stringify(why.params),
    };
    Object.assign(job, patch);
    await updateJob(trx, runId, job.name, patch);
    changed.push(job);
  }
  return changed;
}
