import type { Kysely } from 'kysely';
import type { Plan } from '../../pipeline/plan/plan.js';
import { parseRetries } from '../runs/job-retries.js';
import type { Database } from '../store/tables.js';

/**
 * `retry: {when: [agent_lost]}` (or `retry: N`, which includes it): when the agent of a run is
 * lost, the run goes back to the queue — like SLIPWAY_REQUEUE_LOST, but asked for by the
 * pipeline — when every job that was running asks for it and still has a retry left. A run
 * with one running job that does not ask is failed as before: re-running it would run that
 * job again too.
 */
export async function retriesLostAgent(db: Kysely<Database>, runId: string): Promise<boolean> {
  const run = await db.selectFrom('runs').select('plan').where('id', '=', runId).executeTakeFirst();
  if (!run?.plan) return false;
  const running = await db
    .selectFrom('jobs')
    .select(['name', 'retries'])
    .where('run_id', '=', runId)
    .where('status', '=', 'running')
    .execute();
  if (running.length === 0) return false;
  const plan = JSON.parse(run.plan) as Plan;
  const byName = new Map(plan.stages.flatMap((s) => s.jobs).map((j) => [j.name, j]));
  return running.every((job) => {
    const retry = byName.get(job.name)?.retry;
    if (!retry?.reasons.includes('agent_lost')) return false;
    return parseRetries(job.retries).length < retry.max;
  });
}
