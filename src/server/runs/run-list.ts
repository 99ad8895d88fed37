import type { Kysely } from 'kysely';
import type { Database, JobRow, RunRow } from '../store/tables.js';
import { type TestCountColumns, testCountSelections } from './run-test-counts.js';

export interface RunListQuery {
  projectId: string;
  branch?: string | undefined;
  status?: string | undefined;
  trigger?: string | undefined;
  /** Only runs numbered below this (the `next` of the previous page). */
  before?: number | undefined;
  limit: number;
}

/**
 * One page of the execution records table, newest first, by keyset on the run number: every
 * page costs the same however deep, and each filter has an index that starts with
 * (project_id, <filter column>) and ends with number (migrations 001 and 003). Each row carries
 * its test counts and coverage.
 */
export async function listRuns(
  db: Kysely<Database>,
  q: RunListQuery,
): Promise<{ runs: (RunRow & TestCountColumns)[]; next: number | null }> {
  // Test counts ride along in the same query (run-test-counts.ts): no query per row.
  let query = db
    .selectFrom('runs')
    .selectAll('runs')
    .select((eb) => testCountSelections(eb))
    .where('project_id', '=', q.projectId);
  if (q.branch !== undefined) query = query.where('ref_name', '=', q.branch).where('ref_kind', '=', 'branch');
  if (q.status !== undefined) query = query.where('status', '=', q.status);
  if (q.trigger !== undefined) query = query.where('trigger', '=', q.trigger);
  if (q.before !== undefined) query = query.where('number', '<', q.before);
  // One extra row tells whether an older page exists without a COUNT.
  const rows = await query
    .orderBy('number', 'desc')
    .limit(q.limit + 1)
    .execute();
  const runs = rows.slice(0, q.limit);
  const next = rows.length > q.limit ? (runs.at(-1)?.number ?? null) : null;
  return { runs, next };
}

/** The jobs of several runs in one query, grouped by run id. */
export async function jobsByRun(
  db: Kysely<Database>,
  runIds: readonly string[],
): Promise<Map<string, JobRow[]>> {
  const grouped = new Map<string, JobRow[]>(runIds.map((id) => [id, []]));
  if (runIds.length === 0) return grouped;
  const rows = await db
    .selectFrom('jobs')
    .selectAll()
    .where('run_id', 'in', [...runIds])
    .orderBy('run_id')
    .orderBy('stage_index')
    .orderBy('job_index')
    .execute();
  for (const row of rows) grouped.get(row.run_id)?.push(row);
  return grouped;
}
