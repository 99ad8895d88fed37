import { type Kysely, sql } from 'kysely';
import type { LatestRun } from '../../api/projects.js';
import type { Database } from '../store/tables.js';

/** How many finished runs the project list's sparkline shows. */
export const SPARKLINE_RUNS = 10;

/**
 * What the project list shows of each project's runs: the newest run, and the durations (ms,
 * oldest first) of the last finished ones. Two queries for all projects, not two per project.
 */
export async function runSummaries(
  db: Kysely<Database>,
): Promise<Map<string, { latestRun: LatestRun | null; recentDurations: number[] }>> {
  const latest = await db
    .selectFrom('runs as r')
    .select(['r.project_id', 'r.number', 'r.record', 'r.status', 'r.created_at', 'r.finished_at'])
    .where('r.number', '=', (eb) =>
      eb
        .selectFrom('runs as newest')
        .select((e) => e.fn.max('newest.number').as('n'))
        .whereRef('newest.project_id', '=', 'r.project_id'),
    )
    .execute();
  const finished = await sql<{ project_id: string; duration: number }>`
    SELECT project_id, finished_at - started_at AS duration FROM (
      SELECT project_id, number, started_at, finished_at,
        ROW_NUMBER() OVER (PARTITION BY project_id ORDER BY number DESC) AS nth
      FROM runs WHERE finished_at IS NOT NULL AND started_at IS NOT NULL
    ) recent WHERE nth <= ${SPARKLINE_RUNS} ORDER BY project_id, number`.execute(db);

  type Summary = { latestRun: LatestRun | null; recentDurations: number[] };
  const out = new Map<string, Summary>();
  const entry = (id: string): Summary => {
    const existing = out.get(id);
    if (existing) return existing;
    const created: Summary = { latestRun: null, recentDurations: [] };
    out.set(id, created);
    return created;
  };
  for (const r of latest) {
    entry(r.project_id).latestRun = {
      number: r.number,
      record: r.record,
      status: r.status,
      createdAt: r.created_at,
      finishedAt: r.finished_at,
    };
  }
  for (const r of finished.rows) entry(r.project_id).recentDurations.push(Number(r.duration));
  return out;
}
