/**
 * Chooses and claims the next execution for an agent.
 *
 * Order: FIFO within a project (by enqueued_at); across projects the one with the fewest leased
 * executions goes first, ties broken by whose oldest queued execution is oldest — so a project
 * with a long backlog cannot starve the others. A project never has more leased executions than
 * its concurrency_limit, and a run never has two executions leased at once (they would share
 * container names and the workspace).
 *
 * Atomicity: the choice and the claim happen in one transaction, and the claim is an UPDATE
 * guarded by `status = 'queued'` whose affected-row count is checked, so two agents leasing at
 * the same moment never get the same row even if the database let their reads overlap.
 * On SQLite the write transaction is already serial. On PostgreSQL claims run concurrently, and
 * the limits (per project, one lease per run) are read from other rows than the one claimed, so
 * row locks alone cannot keep them: claims take a transaction-scoped advisory lock first (each
 * claim then sees the previous one committed), and the pick is `FOR UPDATE … SKIP LOCKED` so a
 * queue row another transaction is changing (cancel, expiry) is passed over, never waited on.
 *
 * Labels: an execution with required label pairs (queue_labels, written by enqueue) is ready
 * only for an agent whose declared labels include every pair; the others pass it over, so a
 * labelled run never blocks its project's unlabelled ones for them.
 *
 * The claiming agent is checked inside the same transaction: a revoke deletes the agent's row
 * under the same lock (revoke-agent.ts), so a claim after the revoke finds no agent and fails
 * with AgentGoneError, and a claim before it is a lease the revoke then ends.
 */
import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { pairsOf } from '../../domain/agent-labels.js';
import { lockSkipLocked, serialiseTransaction } from '../store/dialect.js';
import type { Database, QueueRow } from '../store/tables.js';
import { labelsOfRow } from './agent-registry.js';

/** The lock claims and revokes share (an advisory lock on PostgreSQL; SQLite is serial anyway). */
export const QUEUE_CLAIM_LOCK = 'slipway:queue-claim';

/** The claiming agent no longer exists (revoked, or never registered). */
export class AgentGoneError extends Error {
  constructor(readonly agentId: string) {
    super(`agent ${agentId} no longer exists`);
  }
}

export async function claimNext(
  db: Kysely<Database>,
  agentId: string,
  now: number,
): Promise<QueueRow | null> {
  // Idle agents poll often: when nothing at all is queued, answer from the index alone.
  const any = await db
    .selectFrom('queue')
    .select('id')
    .where('status', '=', 'queued')
    .limit(1)
    .executeTakeFirst();
  if (!any) return null;
  return db.transaction().execute(async (trx) => {
    await serialiseTransaction(trx as never, QUEUE_CLAIM_LOCK);
    const agent = await trx
      .selectFrom('agents')
      .select(['id', 'labels'])
      .where('id', '=', agentId)
      .executeTakeFirst();
    if (!agent) throw new AgentGoneError(agentId);
    // Only executions whose every required label pair (queue_labels) this agent has.
    const have = pairsOf(labelsOfRow(agent));
    const lacking =
      have.length === 0
        ? sql`SELECT 1 FROM queue_labels ql WHERE ql.queue_id = q.id`
        : sql`SELECT 1 FROM queue_labels ql WHERE ql.queue_id = q.id AND ql.label NOT IN (${sql.join(have)})`;
    const { rows } = await sql<{ id: string }>`
      WITH leased AS (
        SELECT project_id, count(*) AS n FROM queue WHERE status = 'leased' GROUP BY project_id
      ),
      ready AS (
        SELECT q.id, q.project_id, q.enqueued_at FROM queue q
        WHERE q.status = 'queued'
          AND NOT EXISTS (SELECT 1 FROM queue b WHERE b.run_id = q.run_id AND b.status = 'leased')
          AND NOT EXISTS (${lacking})
      ),
      heads AS (SELECT project_id, min(enqueued_at) AS oldest FROM ready GROUP BY project_id)
      SELECT r.id FROM ready r
      JOIN queue q ON q.id = r.id
      JOIN heads h ON h.project_id = r.project_id
      JOIN projects p ON p.id = r.project_id
      LEFT JOIN leased l ON l.project_id = r.project_id
      WHERE coalesce(l.n, 0) < p.concurrency_limit
      ORDER BY coalesce(l.n, 0), h.oldest, r.project_id, r.enqueued_at, r.id
      LIMIT 1
      ${lockSkipLocked(trx as never, 'q')}`.execute(trx);
    const pick = rows[0];
    if (!pick) return null;
    const leaseId = randomUUID();
    const claimed = await trx
      .updateTable('queue')
      .set({ status: 'leased', lease_id: leaseId, agent_id: agentId, leased_at: now, heartbeat_at: now })
      .where('id', '=', pick.id)
      .where('status', '=', 'queued')
      .executeTakeFirst();
    if (claimed.numUpdatedRows !== 1n) return null;
    return trx.selectFrom('queue').selectAll().where('id', '=', pick.id).executeTakeFirstOrThrow();
  });
}

/** Puts a claimed execution back, first in line again (it keeps its enqueued_at). */
export async function unclaim(db: Kysely<Database>, row: QueueRow): Promise<void> {
  await db
    .updateTable('queue')
    .set({ status: 'queued', lease_id: null, agent_id: null, leased_at: null, heartbeat_at: null })
    .where('id', '=', row.id)
    .where('lease_id', '=', row.lease_id)
    .where('status', '=', 'leased')
    .execute();
}
