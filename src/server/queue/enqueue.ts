import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../store/tables.js';
import { requiredLabels } from './run-requirement.js';

export interface EnqueueInput {
  runId: string;
  projectId: string;
  /** Jobs this execution runs; empty = every pending job of the run. */
  jobs: string[];
  runManual: boolean;
  reuseWorkspace: boolean;
  now: number;
}

/**
 * Puts one execution of a run on the queue. Call it inside the transaction that created or
 * changed the run, so a run acknowledged to a client is always queued (nothing lost on restart).
 * The agent labels it requires (run-requirement.ts) are stored with it, one row per pair; the
 * run row must exist already (it does: callers insert it first in the same transaction).
 */
export async function enqueue(
  db: Kysely<Database> | Transaction<Database>,
  input: EnqueueInput,
): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('queue')
    .values({
      id,
      run_id: input.runId,
      project_id: input.projectId,
      selection: JSON.stringify({ jobs: input.jobs }),
      run_manual: input.runManual ? 1 : 0,
      reuse_workspace: input.reuseWorkspace ? 1 : 0,
      status: 'queued',
      cancel_requested: 0,
      enqueued_at: input.now,
      lease_id: null,
      agent_id: null,
      leased_at: null,
      heartbeat_at: null,
    })
    .execute();
  const labels = await requiredLabels(db, input.runId, input.projectId, input.jobs);
  if (labels.length > 0) {
    await db
      .insertInto('queue_labels')
      .values(labels.map((label) => ({ queue_id: id, label })))
      .execute();
  }
  return id;
}
