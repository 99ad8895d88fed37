import type { Kysely } from 'kysely';
import { environmentConfigSchema } from '../../api/environment-config.js';
import type { Plan } from '../../pipeline/plan/plan.js';
import { forbidden } from '../errors.js';
import type { Database, RunRow } from '../store/tables.js';

/**
 * The four-eyes rule for a pipeline's own `deploy:` job. Playing a manual deploy job into an
 * approval-gated environment *is* the approval (see lease-deployments.ts), so when that
 * environment asks for four eyes, the person whose push (or manual run) started the run may not
 * play it. Releases requested through the API are checked in ReleaseService.approve.
 */
export async function assertFourEyesForPlay(
  db: Kysely<Database>,
  run: Pick<RunRow, 'project_id' | 'plan' | 'actor' | 'number'>,
  jobName: string,
  by: string,
): Promise<void> {
  if (by !== run.actor || !run.plan) return;
  const plan = JSON.parse(run.plan) as Plan;
  const deploy = plan.stages.flatMap((s) => s.jobs).find((j) => j.name === jobName)?.deploy;
  if (!deploy) return;
  const env = await db
    .selectFrom('environments')
    .innerJoin('applications', 'applications.id', 'environments.application_id')
    .select(['environments.config', 'environments.requires_approval'])
    .where('applications.project_id', '=', run.project_id)
    .where('applications.name', '=', deploy.app)
    .where('environments.name', '=', deploy.env)
    .executeTakeFirst();
  if (env?.requires_approval !== 1) return;
  if (!environmentConfigSchema.parse(JSON.parse(env.config)).fourEyes) return;
  throw forbidden(
    `run #${run.number} was started by ${by}; deploying it to ${deploy.app}/${deploy.env} needs another person's approval (four-eyes rule)`,
    'four_eyes',
    { actor: by, target: `${deploy.app}/${deploy.env}`, run: run.number },
  );
}
