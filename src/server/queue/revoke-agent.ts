/**
 * Revoking an agent: its token stops working at once (the row is deleted), and the runs it
 * holds end now through the same path as a lost agent, rather than after the lease timeout.
 */
import type { Kysely } from 'kysely';
import { conflict, notFound, unauthorized } from '../errors.js';
import { serialiseTransaction } from '../store/dialect.js';
import type { Database } from '../store/tables.js';
import { type LeaseLossDeps, loseLeasesOf } from './lease-loss.js';
import { QUEUE_CLAIM_LOCK } from './lease-picker.js';

export async function revokeAgent(deps: LeaseLossDeps, agentId: string): Promise<void> {
  const agent = await deps.db.selectFrom('agents').selectAll().where('id', '=', agentId).executeTakeFirst();
  if (!agent) throw notFound(`agent ${agentId}`);
  if (agent.embedded === 1) {
    throw conflict('the embedded agent is part of the server; turn it off with SLIPWAY_EMBEDDED_AGENT=false');
  }
  // Under the claims' lock: a claim either committed before the delete (its lease is ended just
  // below) or runs after it and finds no agent (lease-picker.ts) — never a lease nobody ends.
  await deps.db.transaction().execute(async (trx) => {
    await serialiseTransaction(trx as never, QUEUE_CLAIM_LOCK);
    await trx.deleteFrom('agents').where('id', '=', agentId).execute();
  });
  await loseLeasesOf(deps, agentId, `agent ${agent.name} was revoked`);
}

/** The answer to a lease call of an agent revoked while it waited (401, like its token now). */
export function agentRevoked(): Error {
  return unauthorized('this agent was revoked; register a new one (POST /api/agents) and use its token');
}

/** Whether the agent still exists (a revoke deletes its row). */
export async function agentExists(db: Kysely<Database>, agentId: string): Promise<boolean> {
  return !!(await db.selectFrom('agents').select('id').where('id', '=', agentId).executeTakeFirst());
}
