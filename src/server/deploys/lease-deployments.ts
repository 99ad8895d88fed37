import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { type EnvironmentConfig, environmentConfigSchema } from '../../api/environment-config.js';
import { effectiveProtocol } from '../../api/rollout-config.js';
import { missingPairs, pairsOf } from '../../domain/agent-labels.js';
import type { Plan, PlanJob } from '../../pipeline/plan/plan.js';
import type { LeaseDeployment } from '../../protocol/agent-protocol.js';
import type { OutboundPolicy } from '../git/outbound-policy.js';
import { imagePullRefusal } from '../images/image-pull-policy.js';
import { openProjectSecrets } from '../projects/project-secrets.js';
import type { SecretBox } from '../services.js';
import type { Database, ReleaseRow } from '../store/tables.js';
import { writeAudit } from './audit-log.js';
import { allocateReleaseNumber } from './release-service.js';
import { canarySpec, releaseVariables } from './release-variables.js';

export interface LeaseDeploymentDeps {
  db: Kysely<Database>;
  secretBox: SecretBox;
  now?: () => number;
  /** Judges the registry host of the image to deploy (images/image-pull-policy.ts). */
  outbound: OutboundPolicy;
}

interface LeasedRun {
  id: string;
  project_id: string;
  untrusted: number;
}

/**
 * The `deployments` of a lease: per `deploy` job it will run, the release to roll out with its
 * environment's config and secrets resolved. A release run already has its release row; a
 * `deploy:` job of an ordinary pipeline gets one here, the first time it is leased (trigger
 * `pipeline`, image filled in from the job's result). Refusals travel as `{ refused }` so the job
 * fails with a message instead of the whole lease.
 */
export async function deploymentsForLease(
  deps: LeaseDeploymentDeps,
  runId: string,
  plan: Plan,
  selection: string[],
  /** The leasing agent's labels: an environment pinned to others refuses it (see below). */
  agentLabels: Record<string, string> = {},
): Promise<Record<string, LeaseDeployment>> {
  const chosen = new Set(selection);
  const deployJobs = plan.stages
    .flatMap((s) => s.jobs)
    // A deploy job its filters (or [skip ci]) already skip never runs: it gets no release, or the
    // history would fill with "canceled" releases for every push the filters leave out.
    .filter((j) => j.deploy && j.skip === null && (chosen.size === 0 || chosen.has(j.name)));
  if (deployJobs.length === 0) return {};
  const run = await deps.db
    .selectFrom('runs')
    .select(['id', 'project_id', 'untrusted', 'actor', 'sha'])
    .where('id', '=', runId)
    .executeTakeFirstOrThrow();
  const project = await deps.db
    .selectFrom('projects')
    .select(['id', 'name'])
    .where('id', '=', run.project_id)
    .executeTakeFirstOrThrow();
  const out: Record<string, LeaseDeployment> = {};
  for (const job of deployJobs) {
    if (run.untrusted === 1) {
      out[job.name] = { refused: 'an untrusted run (a fork pull request) may not deploy' };
      continue;
    }
    const found = await releaseFor(deps, run, job);
    if ('refused' in found) {
      out[job.name] = found;
      continue;
    }
    const { release, app, env, target } = found;
    // The engine of the agent pulls it: a registry on a refused address fails the job instead.
    const refusedImage = release.image
      ? await imagePullRefusal(deps.outbound, release.image, `deploy job "${job.name}" image`)
      : null;
    if (refusedImage) {
      out[job.name] = { refused: refusedImage };
      continue;
    }
    const config = environmentConfigSchema.parse(JSON.parse(release.config));
    // The queue already hands a pinned run only to matching agents; this holds the pin also
    // when it was added after the run was queued (the release's config is what counts).
    const lacking = missingPairs(pairsOf(config.runsOn ?? {}), agentLabels);
    if (lacking.length > 0) {
      out[job.name] = {
        refused: `environment "${env}" deploys only from agents with labels ${lacking.join(', ')}; this agent lacks them`,
      };
      continue;
    }
    const secrets = await resolveSecrets(deps, run.project_id, config.secrets);
    if ('refused' in secrets) {
      out[job.name] = secrets;
      continue;
    }
    out[job.name] = {
      releaseId: release.id,
      target,
      image: release.image,
      operation: release.trigger === 'scale' ? 'scale' : 'deploy',
      replicas: release.replicas,
      spec: {
        project: project.name,
        app,
        env,
        releaseId: release.id,
        replicas: release.replicas,
        ports: config.ports,
        variables: { ...config.variables, ...secrets.values, ...releaseVariables(release, env) },
        healthcheck: healthcheckSpec(config),
        resources: config.resources,
        update: config.update,
        labels: { 'io.slipway.release.number': String(release.number) },
        protocol: effectiveProtocol(config),
        rollout: canarySpec(config.rollout),
      },
    };
  }
  return out;
}

type Found =
  | { release: ReleaseRow; app: string; env: string; target: 'docker' | 'swarm' }
  | { refused: string };

async function releaseFor(
  deps: LeaseDeploymentDeps,
  run: LeasedRun & { actor: string; sha: string },
  job: PlanJob,
): Promise<Found> {
  const spec = job.deploy as NonNullable<PlanJob['deploy']>;
  const app = await deps.db
    .selectFrom('applications')
    .selectAll()
    .where('project_id', '=', run.project_id)
    .where('name', '=', spec.app)
    .executeTakeFirst();
  if (!app) return { refused: `application "${spec.app}" is not defined in this project` };
  const env = await deps.db
    .selectFrom('environments')
    .selectAll()
    .where('application_id', '=', app.id)
    .where('name', '=', spec.env)
    .executeTakeFirst();
  if (!env) return { refused: `application "${spec.app}" has no environment "${spec.env}"` };
  const existing = await deps.db
    .selectFrom('releases')
    .selectAll()
    .where('release_run_id', '=', run.id)
    .where('release_job', '=', job.name)
    .executeTakeFirst();
  if (existing) return { release: existing, app: app.name, env: env.name, target: env.target };
  // A pipeline's own deploy job: the approval of a gated environment is a maintainer playing it.
  if (env.requires_approval === 1 && !job.manual) {
    return {
      refused: `environment "${env.name}" requires approval: give job "${job.name}" \`when: manual\` so a maintainer approves it by playing it`,
    };
  }
  const now = (deps.now ?? Date.now)();
  const config: EnvironmentConfig = environmentConfigSchema.parse(JSON.parse(env.config));
  const release = await deps.db.transaction().execute(async (trx) => {
    const number = await allocateReleaseNumber(trx, app.id);
    const row: ReleaseRow = {
      id: randomUUID(),
      application_id: app.id,
      environment_id: env.id,
      number,
      image: spec.image,
      digest: null,
      config: JSON.stringify(config),
      config_version: env.config_version,
      replicas: config.replicas,
      source_run_id: run.id,
      source_sha: run.sha,
      release_run_id: run.id,
      release_job: job.name,
      trigger: 'pipeline',
      actor: run.actor,
      status: 'queued',
      reason: null,
      created_at: now,
      started_at: null,
      finished_at: null,
      rollback_of: null,
      promoted_from: null,
    };
    await trx.insertInto('releases').values(row).execute();
    await writeAudit(trx, now, {
      actor: run.actor,
      action: 'release.pipeline',
      projectId: run.project_id,
      target: `${app.name}/${env.name}#${number}`,
      detail: { release: number, job: job.name, from: spec.from },
    });
    return row;
  });
  return { release, app: app.name, env: env.name, target: env.target };
}

async function resolveSecrets(
  deps: LeaseDeploymentDeps,
  projectId: string,
  names: string[],
): Promise<{ values: Record<string, string> } | { refused: string }> {
  const opened = await openProjectSecrets(deps, projectId, names);
  if (opened.missing.length > 0)
    return { refused: `secret ${opened.missing.join(', ')} of the environment is not set in the project` };
  if ('undecryptable' in opened)
    return { refused: `secret ${opened.undecryptable} cannot be decrypted with this server's key` };
  return { values: opened.values };
}

function healthcheckSpec(config: EnvironmentConfig) {
  const h = config.healthcheck;
  if (!h) return null;
  const timing = {
    intervalMs: h.intervalMs,
    timeoutMs: h.timeoutMs,
    retries: h.retries,
    startPeriodMs: h.startPeriodMs,
  };
  return h.http
    ? { kind: 'http' as const, path: h.http.path, port: h.http.port, ...timing }
    : { kind: 'command' as const, command: h.command ?? [], ...timing };
}
