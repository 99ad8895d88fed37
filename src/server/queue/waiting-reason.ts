/**
 * Why a queued run is not being picked up, so it never waits silently. Today one reason:
 * `no_matching_agent` — its execution requires label pairs (queue_labels) that no agent seen
 * within the lease timeout has (none connected with `pool=build`, or the pipeline's `runs_on`
 * and an environment's pin ask for two values of one key). Agents that have not called for
 * longer than the lease timeout count as gone, as they do for leases.
 */
import type { Kysely } from 'kysely';
import { missingPairs } from '../../domain/agent-labels.js';
import type { Database } from '../store/tables.js';
import { labelsOfRow } from './agent-registry.js';

export interface WaitingReason {
  code: 'no_matching_agent';
  /** The required `key=value` pairs. */
  labels: string[];
  message: string;
}

/** Per run id (only runs that wait for a reason are in the map). */
export async function waitingReasons(
  db: Kysely<Database>,
  runIds: readonly string[],
  now: number,
  leaseTimeoutMs: number,
): Promise<Map<string, WaitingReason>> {
  const out = new Map<string, WaitingReason>();
  if (runIds.length === 0) return out;
  const required = await db
    .selectFrom('queue')
    .innerJoin('queue_labels', 'queue_labels.queue_id', 'queue.id')
    .select(['queue.run_id', 'queue.id', 'queue_labels.label'])
    .where('queue.status', '=', 'queued')
    .where('queue.run_id', 'in', [...runIds])
    .orderBy('queue_labels.label')
    .execute();
  if (required.length === 0) return out;
  const byExecution = new Map<string, { runId: string; labels: string[] }>();
  for (const row of required) {
    const entry = byExecution.get(row.id) ?? { runId: row.run_id, labels: [] };
    entry.labels.push(row.label);
    byExecution.set(row.id, entry);
  }
  const agents = await db
    .selectFrom('agents')
    .select('labels')
    .where('last_seen_at', '>=', now - leaseTimeoutMs)
    .execute();
  const offered = agents.map(labelsOfRow);
  for (const { runId, labels } of byExecution.values()) {
    if (offered.some((agent) => missingPairs(labels, agent).length === 0)) continue;
    out.set(runId, {
      code: 'no_matching_agent',
      labels,
      message: `waiting for an agent with labels ${labels.join(', ')}`,
    });
  }
  return out;
}
