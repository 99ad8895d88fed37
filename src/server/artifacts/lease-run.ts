import type { Kysely } from 'kysely';
import { notFound } from '../errors.js';
import { workspaceOf } from '../queue/workspace-of.js';
import type { Database } from '../store/tables.js';

export interface LeaseRun {
  runId: string;
  projectId: string;
  /** Runs whose artifacts this lease may read: its own, and the one whose workspace it resumes. */
  readable: Set<string>;
}

/**
 * The run of a lease the calling agent holds right now, like every lease call checks it (404
 * for any other agent, an ended lease or an unknown one: nothing to learn from the answer).
 */
export async function leaseRun(db: Kysely<Database>, agentId: string, leaseId: string): Promise<LeaseRun> {
  const row = await db
    .selectFrom('queue')
    .selectAll()
    .where('lease_id', '=', leaseId)
    .where('agent_id', '=', agentId)
    .where('status', '=', 'leased')
    .executeTakeFirst();
  if (!row) throw notFound(`lease ${leaseId}`);
  return {
    runId: row.run_id,
    projectId: row.project_id,
    readable: new Set([row.run_id, await workspaceOf(db, row)]),
  };
}
