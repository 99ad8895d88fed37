import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import { autoReleaseSchema, environmentConfigSchema } from '../../api/environment-config.js';
import { evaluateFilters } from '../../pipeline/plan/filters.js';
import type { Plan } from '../../pipeline/plan/plan.js';
import type { BuiltImageMessage } from '../../protocol/agent-protocol.js';
import type { Database } from '../store/tables.js';
import { deployableRef } from './image-ref.js';
import type { ReleaseService } from './release-service.js';

export interface AutoReleaseDeps {
  db: Kysely<Database>;
  releases: ReleaseService;
  log: Pick<FastifyBaseLogger, 'warn'>;
}

/**
 * 自动发布: a build job of run `runId` produced `image`; every environment of the project whose
 * `autoRelease.branches` match the run's ref (GitFlow classes or anchored regexes, like `only:`)
 * and whose repository (when set) is the image's gets a release of it. Untrusted runs never do.
 * An environment the run deploys to itself (a `deploy:` job) is left to that job: releasing it
 * here as well would roll the same image out twice.
 */
export async function releaseBuiltImage(
  deps: AutoReleaseDeps,
  runId: string,
  image: BuiltImageMessage,
): Promise<number> {
  const run = await deps.db.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirst();
  if (!run || run.untrusted === 1 || run.trigger === 'deploy') return 0;
  // A pull request is never its head branch (a fork may call it `main`): no auto release.
  if (run.ref_kind === 'pull_request') return 0;
  const project = await deps.db
    .selectFrom('projects')
    .selectAll()
    .where('id', '=', run.project_id)
    .executeTakeFirst();
  if (!project) return 0;
  const envs = await deps.db
    .selectFrom('environments')
    .innerJoin('applications', 'applications.id', 'environments.application_id')
    .selectAll('environments')
    .select(['applications.name as appName', 'applications.created_at as appCreatedAt'])
    .where('applications.project_id', '=', project.id)
    .where('environments.auto_release', 'is not', null)
    .execute();
  const ref = { kind: run.ref_kind === 'tag' ? ('tag' as const) : ('branch' as const), name: run.ref_name };
  const event = { kind: 'push' as const, ref, sha: run.sha, author: run.author, message: run.message };
  const deploysItself = pipelineDeployTargets(run.plan);
  let started = 0;
  for (const row of envs) {
    if (deploysItself.has(`${row.appName}/${row.name}`)) continue;
    const rule = autoReleaseSchema.safeParse(JSON.parse(row.auto_release ?? 'null'));
    if (!rule.success || !rule.data) continue;
    if (!evaluateFilters(rule.data.branches, undefined, event).matches) continue;
    const config = environmentConfigSchema.parse(JSON.parse(row.config));
    if (config.repository && config.repository !== image.repository) continue;
    const { appName, appCreatedAt, ...env } = row;
    try {
      await deps.releases.deploy(
        {
          project,
          app: { id: env.application_id, project_id: project.id, name: appName, created_at: appCreatedAt },
          env,
          actor: 'slipway (auto release)',
        },
        deployableRef(image),
        { trigger: 'auto', source: { runId: run.id, sha: run.sha, ref } },
      );
      started += 1;
    } catch (error) {
      deps.log.warn({ err: error, env: `${appName}/${env.name}` }, 'auto release failed');
    }
  }
  return started;
}

/** `app/env` of every `deploy:` job the run will execute (skipped ones leave it to auto release). */
function pipelineDeployTargets(planJson: string | null): Set<string> {
  if (!planJson) return new Set();
  const plan = JSON.parse(planJson) as Plan;
  return new Set(
    plan.stages.flatMap((s) =>
      s.jobs.flatMap((j) => (j.deploy && !j.skip ? [`${j.deploy.app}/${j.deploy.env}`] : [])),
    ),
  );
}
