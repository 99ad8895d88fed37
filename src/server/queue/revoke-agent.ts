/**
 * Revoking an agent: its token stops working at once (the row is deleted), and the runs it
 * holds end now through the same path as a lost agent, rather than after the lease timeout.
 */
import { conflict, notFound } from '../errors.js';
import { type LeaseLossDeps, loseLeasesOf } from './lease-loss.js';

export async function revokeAgent(deps: LeaseLossDeps, agentId: string): Promise<void> {
  const agent = await deps.db.selectFrom('agents').selectAll().where('id', '=', agentId).executeTakeFirst();
  if (!agent) throw notFound(`agent ${agentId}`);
  if (agent.embedded === 1) {
    throw conflict('the embedded agent is part of the server; turn it off with SLIPWAY_EMBEDDED_AGENT=false');
  }
  await deps.db.deleteFrom('agents').where('id', '=', agentId).execute();
  await loseLeasesOf(deps, agentId, `agent ${agent.name} was revoked`);
}
