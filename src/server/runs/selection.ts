import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../store/tables.js';

/** The `queue.selection` JSON: which jobs an execution runs; empty = every pending job. */
export function parseSelection(text: string): string[] {
  try {
    const parsed = JSON.parse(text) as { jobs?: unknown };
    return Array.isArray(parsed.jobs) ? parsed.jobs.filter((j): j is string => typeof j === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * Jobs that an execution still waiting in the queue will run. While one execution of a run
 * ends, another may already be queued for it (a manual job played meanwhile); the ending one
 * must leave those jobs alone.
 */
export async function reservedJobs(
  db: Kysely<Database> | Transaction<Database>,
  runId: string,
): Promise<Set<string>> {
  const rows = await db
    .selectFrom('queue')
    .select('selection')
    .where('run_id', '=', runId)
    .where('status', '=', 'queued')
    .execute();
  const reserved = new Set<string>();
  for (const row of rows) {
    const jobs = parseSelection(row.selection);
    if (jobs.length > 0) {
      for (const job of jobs) reserved.add(job);
      continue;
    }
    const pending = await db
      .selectFrom('jobs')
      .select('name')
      .where('run_id', '=', runId)
      .where('status', '=', 'pending')
      .execute();
    for (const job of pending) reserved.add(job.name);
  }
  return reserved;
}
