import type { Kysely } from 'kysely';
import { notFound } from '../errors.js';
import type { Database, JobRow, ProjectRow, RunRow } from '../store/tables.js';
import { jobByName } from './run-queries.js';

/**
 * The API addresses projects by name (projects/find-project.ts), runs by number and jobs by
 * name. Each lookup throws not_found (404) — the same answer whether the thing is missing or
 * merely unknown to the caller, so nothing about existence leaks.
 */
export async function findRunByNumber(
  db: Kysely<Database>,
  project: ProjectRow,
  number: number,
): Promise<RunRow> {
  const run = await db
    .selectFrom('runs')
    .selectAll()
    .where('project_id', '=', project.id)
    .where('number', '=', number)
    .executeTakeFirst();
  if (!run) throw notFound(`run #${number} of project "${project.name}"`);
  return run;
}

export async function findJob(db: Kysely<Database>, run: RunRow, name: string): Promise<JobRow> {
  const job = await jobByName(db, run.id, name);
  if (!job) throw notFound(`job "${name}" of run #${run.number}`);
  return job;
}
