/**
 * What agent labels an execution of a run needs: the plan's `runsOn` (the union of the pipeline's
 * top-level and jobs' `runs_on`) plus the `runsOn` pin of every environment its deploy jobs
 * deploy to (production deploys only from production agents). Computed when the execution is
 * queued, from the environments' config at that moment; lease-deployments.ts checks the pin
 * again when the lease is built, so a pin added later still holds.
 */
import type { Kysely, Transaction } from 'kysely';
import { environmentConfigSchema } from '../../api/environment-config.js';
import { type LabelPair, pairsOf, unionPairs } from '../../domain/agent-labels.js';
import type { Plan } from '../../pipeline/plan/plan.js';
import type { Database } from '../store/tables.js';

export async function requiredLabels(
  db: Kysely<Database> | Transaction<Database>,
  runId: string,
  projectId: string,
  selection: readonly string[],
): Promise<LabelPair[]> {
  const run = await db.selectFrom('runs').select('plan').where('id', '=', runId).executeTakeFirst();
  if (!run?.plan) return [];
  const plan = JSON.parse(run.plan) as Plan;
  const chosen = new Set(selection);
  const deploys = plan.stages
    .flatMap((s) => s.jobs)
    .filter((j) => j.deploy && (chosen.size === 0 || chosen.has(j.name)));
  const pins: LabelPair[][] = [];
  for (const job of deploys) {
    const spec = job.deploy as NonNullable<typeof job.deploy>;
    const env = await db
      .selectFrom('environments')
      .innerJoin('applications', 'applications.id', 'environments.application_id')
      .select('environments.config')
      .where('applications.project_id', '=', projectId)
      .where('applications.name', '=', spec.app)
      .where('environments.name', '=', spec.env)
      .executeTakeFirst();
    if (!env) continue;
    const config = environmentConfigSchema.safeParse(JSON.parse(env.config));
    if (config.success && config.data.runsOn) pins.push(pairsOf(config.data.runsOn));
  }
  return unionPairs(pairsOf(plan.runsOn ?? {}), ...pins);
}

/** The pairs a queued execution requires, as stored by enqueue. */
export async function queueLabels(db: Kysely<Database>, queueId: string): Promise<LabelPair[]> {
  const rows = await db
    .selectFrom('queue_labels')
    .select('label')
    .where('queue_id', '=', queueId)
    .orderBy('label')
    .execute();
  return rows.map((r) => r.label);
}
