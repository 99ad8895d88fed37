/**
 * Ending a lease whose agent is gone (stopped heartbeating, or was revoked), so the run ends
 * visibly instead of staying "running" forever:
 *   - cancel was requested: the run ends canceled (what the user asked for);
 *   - SLIPWAY_REQUEUE_LOST, or every running job has `retry:` for agent_lost left
 *     (lost-retry.ts): the execution goes back to the queue, first in line, as its next
 *     attempt (the next agent's log lines are placed after this attempt's, not dropped as repeats);
 *   - otherwise: running jobs fail with "agent lost", the rest are skipped, the run fails.
 *
 * The queue row is switched first, guarded by its lease id and state, so exactly one of
 * finish / expiry / revoke wins; if telling RunState then fails, the switch is undone and the
 * next expiry pass tries again.
 */
import { type Kysely, sql } from 'kysely';
import type { RunState } from '../services.js';
import type { Database, QueueRow } from '../store/tables.js';
import { retriesLostAgent } from './lost-retry.js';

export interface LeaseLossDeps {
  db: Kysely<Database>;
  runState: RunState;
  requeueLost: boolean;
  now: () => number;
}

export type LostLease = Pick<QueueRow, 'id' | 'run_id' | 'lease_id' | 'cancel_requested' | 'leased_at'> & {
  /** The heartbeat the decision was based on: a newer one means the agent is alive after all. */
  heartbeat_at: number | null;
};

/** Returns false when the lease had already ended (or heartbeated meanwhile). */
export async function loseLease(deps: LeaseLossDeps, lease: LostLease, message: string): Promise<boolean> {
  const requeue =
    lease.cancel_requested !== 1 && (deps.requeueLost || (await retriesLostAgent(deps.db, lease.run_id)));
  const switched = await deps.db
    .updateTable('queue')
    .set(
      requeue
        ? {
            status: 'queued',
            lease_id: null,
            agent_id: null,
            leased_at: null,
            heartbeat_at: null,
            attempt: sql<number>`attempt + 1`,
          }
        : { status: 'done' },
    )
    .where('id', '=', lease.id)
    .where('lease_id', '=', lease.lease_id)
    .where('status', '=', 'leased')
    .where('heartbeat_at', 'is not distinct from', lease.heartbeat_at)
    .executeTakeFirst();
  if (switched.numUpdatedRows !== 1n) return false;
  try {
    if (requeue) await deps.runState.requeued(lease.run_id, message);
    else if (lease.cancel_requested === 1) {
      const now = deps.now();
      await deps.runState.runFinished(lease.run_id, {
        status: 'canceled',
        startedAt: lease.leased_at ?? now,
        finishedAt: now,
        error: message,
      });
    } else await deps.runState.failUnfinished(lease.run_id, 'agent_lost', message);
  } catch (error) {
    await deps.db
      .updateTable('queue')
      .set({
        status: 'leased',
        lease_id: lease.lease_id,
        leased_at: lease.leased_at,
        heartbeat_at: lease.heartbeat_at,
        ...(requeue ? { attempt: sql<number>`attempt - 1` } : {}),
      })
      .where('id', '=', lease.id)
      .where('status', '=', requeue ? 'queued' : 'done')
      .execute();
    throw error;
  }
  return true;
}

/** Ends every lease the agent holds (it was revoked, or it is known to be gone); returns how many. */
export async function loseLeasesOf(deps: LeaseLossDeps, agentId: string, message: string): Promise<number> {
  const leases = await deps.db
    .selectFrom('queue')
    .select(['id', 'run_id', 'lease_id', 'cancel_requested', 'leased_at', 'heartbeat_at'])
    .where('agent_id', '=', agentId)
    .where('status', '=', 'leased')
    .execute();
  let ended = 0;
  for (const lease of leases) if (await loseLease(deps, lease, message)) ended++;
  return ended;
}
