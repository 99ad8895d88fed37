/**
 * What a lease needs from earlier executions so its jobs find the files they expect:
 *   - a run re-queued after its agent was lost continues with its unfinished jobs only (the
 *     finished ones keep their results), on whichever agent takes it;
 *   - every job of the run (or of the run it resumes) that will not run in this execution and
 *     left artifacts has them restored into the new workspace before the first job, so later
 *     jobs get them even on another agent.
 */
import type { Kysely } from 'kysely';
import type { ArtifactSource } from '../../protocol/artifact-protocol.js';
import { workspaceOf } from '../queue/workspace-of.js';
import type { Database, QueueRow } from '../store/tables.js';

/**
 * The jobs a re-queued execution still has to run: empty (= all pending) for a first attempt or
 * an explicit selection; for a later attempt of a whole-run execution, the jobs not finished, and
 * the queue row's selection is narrowed to them so reports about finished jobs are not accepted.
 */
export async function jobsAfterLoss(
  db: Kysely<Database>,
  row: QueueRow,
  selection: string[],
): Promise<string[]> {
  if (selection.length > 0 || (row.attempt ?? 1) <= 1) return selection;
  const jobs = await db
    .selectFrom('jobs')
    .select(['name', 'status'])
    .where('run_id', '=', row.run_id)
    .execute();
  if (!jobs.some((j) => j.status === 'succeeded')) return selection;
  const pending = jobs.filter((j) => j.status === 'pending').map((j) => j.name);
  if (pending.length === 0) return selection;
  await db
    .updateTable('queue')
    .set({ selection: JSON.stringify({ jobs: pending }) })
    .where('id', '=', row.id)
    .execute();
  return pending;
}

/** Artifacts to restore before this execution's first job (see the file comment). */
export async function artifactsToRestore(
  db: Kysely<Database>,
  row: QueueRow,
  selection: string[],
  now: number,
): Promise<ArtifactSource[]> {
  if (selection.length === 0) return [];
  const chosen = new Set(selection);
  const workspaceRun = await workspaceOf(db, row);
  const runs = [...new Set([row.run_id, workspaceRun])];
  const rows = await db
    .selectFrom('artifacts')
    .select(['run_id', 'job', 'expires_at'])
    .where('run_id', 'in', runs)
    .execute();
  const byJob = new Map<string, ArtifactSource>();
  for (const r of rows) {
    if (chosen.has(r.job) || (r.expires_at !== null && Number(r.expires_at) <= now)) continue;
    // The run's own upload is newer than the resumed run's: it wins.
    if (byJob.has(r.job) && r.run_id !== row.run_id) continue;
    byJob.set(r.job, { job: r.job, runId: r.run_id });
  }
  return [...byJob.values()];
}
