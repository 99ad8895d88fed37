/**
 * A run's state as the server stored it, for tests that wait on it (re-queued, ended) while
 * agents come and go: one read instead of a query written out in every such test.
 */
import type { Kysely } from 'kysely';
import { isTerminal, type Status } from '../../src/domain/status.js';
import type { Database } from '../../src/server/store/tables.js';

export interface RunState {
  status: Status;
  attempt: number;
}

export async function runState(db: Kysely<Database>, runId: string): Promise<RunState> {
  return db
    .selectFrom('runs')
    .select(['status', 'attempt'])
    .where('id', '=', runId)
    .executeTakeFirstOrThrow() as Promise<RunState>;
}

/** The run's state once it has ended, else null (for `until`). */
export async function endedRun(db: Kysely<Database>, runId: string): Promise<RunState | null> {
  const state = await runState(db, runId);
  return isTerminal(state.status) ? state : null;
}

/** Whether the run waits for its second attempt (its agent was lost and it was re-queued). */
export async function requeuedOnce(db: Kysely<Database>, runId: string): Promise<boolean> {
  const state = await runState(db, runId);
  return state.status === 'queued' && state.attempt === 2;
}
