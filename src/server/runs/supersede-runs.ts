import type { Kysely } from 'kysely';
import { storedRef } from '../../domain/ref.js';
import type { ServerContext } from '../context.js';
import type { Database, RunRow } from '../store/tables.js';
import type { CancelReason } from './cancel-reason.js';

/** The run service's one cancel path: true when the run was canceled or its agent told to stop. */
export type CancelRun = (
  runId: string,
  reason: CancelReason,
  onlyIf: (db: Kysely<Database>, run: RunRow) => Promise<boolean>,
) => Promise<boolean>;

/**
 * Auto-cancel of superseded runs (GitLab's "auto-cancel redundant pipelines" with
 * `interruptible`). When the project has `auto_cancel_superseded` on, a new run created by a
 * push to branch B (or by an update of pull request N) supersedes the older runs of the same
 * project that were created the same way for the same branch (or the same pull request):
 *
 * - only `push` runs of a branch and `pull_request` runs supersede, and only runs of the same
 *   trigger are superseded: manual, API, cron and rerun runs, and tags, were asked for on
 *   purpose and are never canceled by a push, nor cancel anything themselves;
 * - "older" is a lower run number (numbers are given in commit order of the runs);
 * - a superseded run must be unfinished and not waiting for a click: `pending`, `queued` or
 *   `running` (a `manual` run holds a deploy button for its commit and uses no agent);
 * - it is canceled only while none of its jobs that has started (running, or ended after
 *   starting) is non-interruptible: once a job without `interruptible: true` has started, the
 *   run runs to its end (GitLab's rule). A queued run that has not started anything is always
 *   canceled. The rule is checked again inside the cancel's transaction (see `mayInterrupt`).
 */

/** Statuses a superseded run can be in (unfinished, and not parked waiting for a click). */
const SUPERSEDABLE_STATUSES = ['pending', 'queued', 'running'] as const;

/** Job statuses that mean the job has started (or ended after starting). */
const STARTED_JOB_STATUSES = ['running', 'succeeded', 'failed', 'canceled'] as const;

/**
 * Whether `run` is a kind of run that supersedes older ones (see above). It must also have
 * something to run: a run that failed before it had a plan (config error) or was skipped
 * (`[skip ci]`, every job filtered out) tests nothing, so the older run stays the branch's test.
 */
export function supersedesOthers(run: Pick<RunRow, 'trigger' | 'ref_kind' | 'plan' | 'status'>): boolean {
  const kind =
    (run.trigger === 'push' && run.ref_kind === 'branch') ||
    (run.trigger === 'pull_request' && run.ref_kind === 'pull_request');
  return kind && run.plan !== null && run.status !== 'skipped' && run.status !== 'failed';
}

/**
 * The older unfinished runs `run` supersedes when its project has the setting on; [] when the
 * setting is off or `run` supersedes nothing. Read after `run` was committed.
 */
export async function supersededBy(db: Kysely<Database>, run: RunRow): Promise<RunRow[]> {
  if (!supersedesOthers(run)) return [];
  // Read now, not from the project row the run was created with: a webhook may have loaded it
  // before a maintainer changed the setting.
  const project = await db
    .selectFrom('projects')
    .select('auto_cancel_superseded')
    .where('id', '=', run.project_id)
    .executeTakeFirst();
  if (project?.auto_cancel_superseded !== 1) return [];
  const older = await db
    .selectFrom('runs')
    .selectAll()
    .where('project_id', '=', run.project_id)
    .where('trigger', '=', run.trigger)
    .where('ref_kind', '=', run.ref_kind)
    .where('number', '<', run.number)
    .where('status', 'in', [...SUPERSEDABLE_STATUSES])
    .orderBy('number')
    .execute();
  return older.filter((other) => sameRef(other, run));
}

/** Same branch, or same pull request (by number: its head branch name is only data). */
function sameRef(a: RunRow, b: RunRow): boolean {
  const refA = storedRef(a.ref_kind, a.ref_name, a.record);
  const refB = storedRef(b.ref_kind, b.ref_name, b.record);
  if (refA.kind === 'pull_request' && refB.kind === 'pull_request') return refA.number === refB.number;
  return refA.kind === refB.kind && refA.name === refB.name;
}

/**
 * Whether the run may still be interrupted by a newer one: it is in a supersedable status and
 * no job without `interruptible: true` has started. `db` is the cancel's transaction, so the
 * answer holds for the cancel that follows (the run row is locked first on PostgreSQL).
 */
export async function mayInterrupt(
  db: Kysely<Database>,
  run: Pick<RunRow, 'id' | 'status'>,
): Promise<boolean> {
  if (!(SUPERSEDABLE_STATUSES as readonly string[]).includes(run.status)) return false;
  const blocking = await db
    .selectFrom('jobs')
    .select('name')
    .where('run_id', '=', run.id)
    .where('interruptible', '=', 0)
    .where((eb) => eb.or([eb('status', 'in', [...STARTED_JOB_STATUSES]), eb('started_at', 'is not', null)]))
    .executeTakeFirst();
  return blocking === undefined;
}

/**
 * After `run` is committed and published: cancel the older runs it supersedes through `cancel`.
 * Best effort: the new run stands whatever happens here, and one old run that cannot be canceled
 * does not keep the others from it (each failure is logged).
 */
export async function supersedeOlder(
  deps: Pick<ServerContext, 'db' | 'log'>,
  run: RunRow,
  cancel: CancelRun,
): Promise<void> {
  let older: RunRow[];
  try {
    older = await supersededBy(deps.db, run);
  } catch (error) {
    deps.log.error({ err: error, run: run.id }, 'could not look for runs superseded by a new run');
    return;
  }
  for (const old of older) {
    try {
      if (await cancel(old.id, { code: 'superseded', by: run.number }, mayInterrupt)) {
        deps.log.info({ run: old.id, number: old.number, by: run.number }, 'run superseded');
      }
    } catch (error) {
      deps.log.error(
        { err: error, run: old.id, by: run.number },
        'could not cancel a run superseded by a new run',
      );
    }
  }
}
