/**
 * What an agent receives for a claimed execution: the stored plan, which jobs to run, and the
 * secrets those jobs name — nothing else of the project. Untrusted events (fork pull requests)
 * get no secrets at all.
 */
import type { Kysely } from 'kysely';
import type { Plan } from '../../pipeline/plan/plan.js';
import type { LeaseMessage } from '../../protocol/agent-protocol.js';
import { artifactsToRestore, jobsAfterLoss } from '../artifacts/lease-artifacts.js';
import type { ServerConfig } from '../config.js';
import { deploymentsForLease } from '../deploys/lease-deployments.js';
import { createOutboundPolicy } from '../git/outbound-policy.js';
import { refusedJobImages } from '../images/image-pull-policy.js';
import { refusedPushTargets } from '../images/push-targets.js';
import { resolveRegistryCredentials, UndecryptableRegistry } from '../images/registry-service.js';
import { openProjectSecrets } from '../projects/project-secrets.js';
import { parseSelection } from '../runs/selection.js';
import type { SecretBox } from '../services.js';
import type { Database, QueueRow } from '../store/tables.js';
import { labelsOfRow } from './agent-registry.js';
import { workspaceOf } from './workspace-of.js';

/** The execution can never run as stored (no plan, undecryptable secret): end it, do not retry. */
export class UnrunnableExecution extends Error {}

export interface LeaseMessageDeps {
  db: Kysely<Database>;
  config: ServerConfig;
  secretBox: SecretBox;
}

export async function buildLeaseMessage(deps: LeaseMessageDeps, row: QueueRow): Promise<LeaseMessage> {
  const run = await deps.db
    .selectFrom('runs')
    .select(['id', 'project_id', 'number', 'plan', 'untrusted'])
    .where('id', '=', row.run_id)
    .executeTakeFirst();
  if (!run) throw new UnrunnableExecution(`run ${row.run_id} no longer exists`);
  if (!run.plan) throw new UnrunnableExecution('the run has no plan (its configuration had errors)');
  const plan = JSON.parse(run.plan) as Plan;
  const jobs = await jobsAfterLoss(deps.db, row, parseSelection(row.selection));
  const outbound = createOutboundPolicy({ allowlist: deps.config.outboundAllowlist });
  // Before anything of the project (secrets) is opened: an image the engine may not pull from
  // ends the run here, naming the image and the rule, and no agent ever sees the lease.
  const refusedImages = await refusedJobImages(outbound, plan, { jobs, runManual: row.run_manual === 1 });
  if (refusedImages.length > 0) throw new UnrunnableExecution(refusedImages.join('; '));
  const projectName = await projectNameOf(deps, run.project_id);
  const trusted = run.untrusted !== 1;
  return {
    leaseId: row.lease_id as string,
    runId: run.id,
    projectId: run.project_id,
    projectName,
    runNumber: run.number,
    plan,
    jobs,
    runManual: row.run_manual === 1,
    reuseWorkspace: row.reuse_workspace === 1,
    workspaceId: await workspaceOf(deps.db, row),
    secrets: run.untrusted === 1 ? {} : await secretsFor(deps, run.project_id, namedSecrets(plan, jobs)),
    maxLogBytes: deps.config.logMaxBytes,
    resourceLimits: deps.config.jobResourceLimits,
    heartbeatMs: Math.max(100, Math.floor(deps.config.leaseTimeoutMs / 3)),
    // Untrusted events build but never push (their agent obeys this; the server also ignores a
    // `pushed` image they report), so they need no credentials and no push-target check.
    trusted,
    // Push credentials only when this execution builds, and never for untrusted events.
    registries: !trusted || !buildsImages(plan, jobs) ? [] : await registriesFor(deps, run.project_id),
    ...(trusted && buildsImages(plan, jobs)
      ? {
          pushRefusals: await refusedPushTargets(outbound, plan, jobs, projectName),
        }
      : {}),
    restoreArtifacts: await artifactsToRestore(deps.db, row, jobs, Date.now()),
    deployments: await deploymentsForLease(
      { ...deps, outbound },
      run.id,
      plan,
      jobs,
      await leasingAgentLabels(deps, row.agent_id),
    ),
  };
}

async function projectNameOf(deps: LeaseMessageDeps, projectId: string): Promise<string | undefined> {
  const row = await deps.db
    .selectFrom('projects')
    .select('name')
    .where('id', '=', projectId)
    .executeTakeFirst();
  return row?.name;
}

/** Whether a job this execution may run builds an image (and so may push it). */
function buildsImages(plan: Plan, selection: string[]): boolean {
  const chosen = new Set(selection);
  return plan.stages
    .flatMap((s) => s.jobs)
    .some((job) => Boolean(job.build) && job.skip === null && (chosen.size === 0 || chosen.has(job.name)));
}

/** The project's registry credentials (its own over global ones, by host), opened for the agent. */
async function registriesFor(deps: LeaseMessageDeps, projectId: string): Promise<LeaseMessage['registries']> {
  try {
    return await resolveRegistryCredentials(deps, projectId);
  } catch (error) {
    if (error instanceof UndecryptableRegistry) throw new UnrunnableExecution(error.message);
    throw error;
  }
}

/** Secret names of the jobs this execution may run (all jobs when the selection is empty). */
function namedSecrets(plan: Plan, selection: string[]): string[] {
  const chosen = new Set(selection);
  const names = new Set<string>();
  for (const job of plan.stages.flatMap((s) => s.jobs)) {
    if (chosen.size > 0 && !chosen.has(job.name)) continue;
    for (const name of job.secrets) names.add(name);
  }
  return [...names];
}

/** Decrypted values of the named secrets that exist; a missing one is reported by the job itself. */
async function secretsFor(
  deps: LeaseMessageDeps,
  projectId: string,
  names: string[],
): Promise<Record<string, string>> {
  const opened = await openProjectSecrets(deps, projectId, names);
  if ('undecryptable' in opened)
    throw new UnrunnableExecution(
      `secret ${opened.undecryptable} cannot be decrypted with this server's key (was SLIPWAY_SECRET_KEY changed?)`,
    );
  return opened.values;
}

/** The labels the claiming agent declared (an environment's pin is checked against them). */
async function leasingAgentLabels(
  deps: LeaseMessageDeps,
  agentId: string | null,
): Promise<Record<string, string>> {
  if (!agentId) return {};
  const agent = await deps.db
    .selectFrom('agents')
    .select('labels')
    .where('id', '=', agentId)
    .executeTakeFirst();
  return agent ? labelsOfRow(agent) : {};
}
