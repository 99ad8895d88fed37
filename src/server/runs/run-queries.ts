import type { Kysely } from 'kysely';
import type { Database, JobRow, RunRow } from '../store/tables.js';

/**
 * The reads and writes of run and job rows that the run service, RunState, the event publisher
 * and the lookups share. `db` may be a transaction (a Kysely too).
 */

export type JobPatch = Partial<Omit<JobRow, 'run_id' | 'name'>>;

export function runById(db: Kysely<Database>, runId: string): Promise<RunRow | undefined> {
  return db.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirst();
}

/** A run's jobs in plan order: by stage, then by place in the stage. */
export function jobsInPlanOrder(db: Kysely<Database>, runId: string): Promise<JobRow[]> {
  return db
    .selectFrom('jobs')
    .selectAll()
    .where('run_id', '=', runId)
    .orderBy('stage_index')
    .orderBy('job_index')
    .execute();
}

export function jobByName(db: Kysely<Database>, runId: string, name: string): Promise<JobRow | undefined> {
  return db
    .selectFrom('jobs')
    .selectAll()
    .where('run_id', '=', runId)
    .where('name', '=', name)
    .executeTakeFirst();
}

export async function updateJob(
  db: Kysely<Database>,
  runId: string,
  name: string,
  patch: JobPatch,
): Promise<void> {
  await db.updateTable('jobs').set(patch).where('run_id', '=', runId).where('name', '=', name).execute();
}
