/**
 * Leases whose agent has not heartbeated within the lease timeout are lost (see lease-loss.ts).
 * Called on an interval by the server, and once at start: after a restart, leases older than
 * the timeout are ended at once, while younger ones get the rest of their time — a standalone
 * agent that kept running through the restart simply carries on.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/tables.js';
import { type LeaseLossDeps, loseLease } from './lease-loss.js';

export interface ExpiryDeps extends LeaseLossDeps {
  db: Kysely<Database>;
  leaseTimeoutMs: number;
  /** Reports a lease that could not be ended this pass (it is retried on the next one). */
  onError: (error: unknown, runId: string) => void;
}

export async function expireLeases(deps: ExpiryDeps, now: number): Promise<number> {
  const stale = await deps.db
    .selectFrom('queue')
    .leftJoin('agents', 'agents.id', 'queue.agent_id')
    .select([
      'queue.id',
      'queue.run_id',
      'queue.lease_id',
      'queue.cancel_requested',
      'queue.leased_at',
      'queue.heartbeat_at',
      'queue.agent_id',
      'agents.name as agent_name',
    ])
    .where('queue.status', '=', 'leased')
    .where('queue.heartbeat_at', '<', now - deps.leaseTimeoutMs)
    .orderBy('queue.heartbeat_at')
    .execute();
  const seconds = Math.round(deps.leaseTimeoutMs / 1000);
  let ended = 0;
  for (const lease of stale) {
    const agent = lease.agent_name ?? lease.agent_id ?? 'unknown';
    const message = `agent ${agent} stopped responding (no heartbeat for ${seconds} s)`;
    try {
      if (await loseLease(deps, lease, message)) ended++;
    } catch (error) {
      deps.onError(error, lease.run_id);
    }
  }
  return ended;
}
