/**
 * The agent's half of a `deploy` job: the lease says what to roll out (its `deployments`, built
 * by the server from the release and the environment's config); the agent resolves the image —
 * fixed for manual, promote and rollback releases, else the one the run's build job produced —
 * and hands it to the environment's DeployTarget, streaming the target's log as the job's output.
 * The result carries `release` so the server records how the release ended.
 */
import type { BuiltImage } from '../backends/backend.js';
import type { DeployLog, DeployOutcome, DeployTarget } from '../deploy/deploy-target.js';
import { type Why, why } from '../deploy/release-why.js';
import type { FailureReason } from '../domain/status.js';
import type { PlanJob } from '../pipeline/plan/plan.js';
import type { JobResultMessage, LeaseDeployment } from '../protocol/agent-protocol.js';
import type { DeployRunner } from '../runtime/run-job.js';

export interface DeployTargets {
  docker?: DeployTarget;
  swarm?: DeployTarget;
}

export interface DeployJobInput {
  job: PlanJob;
  deployment: LeaseDeployment | undefined;
  /** Images the run's build jobs produced so far, by build job name. */
  builtImages: ReadonlyMap<string, BuiltImage>;
  targets: DeployTargets;
  log: DeployLog;
  signal: AbortSignal;
}

export interface DeployJobOutcome {
  status: 'succeeded' | 'failed' | 'canceled';
  failure: { reason: FailureReason; message: string } | null;
  release?: NonNullable<JobResultMessage['release']>;
}

export async function runDeployJob(input: DeployJobInput): Promise<DeployJobOutcome> {
  const { job, deployment, log } = input;
  const spec = job.deploy;
  if (!spec) return fail(log, `job "${job.name}" is not a deploy job`);
  if (!deployment) {
    return fail(
      log,
      `the server sent nothing to deploy for job "${job.name}" (is this agent older than the server?)`,
    );
  }
  if ('refused' in deployment) return fail(log, deployment.refused);
  const release = (status: 'succeeded' | 'failed' | 'rolled_back' | 'canceled', extra: object = {}) => ({
    id: deployment.releaseId,
    status,
    ...extra,
  });
  const target = input.targets[deployment.target];
  if (!target) {
    const message = `this agent has no ${deployment.target} deploy target (is its Docker engine reachable${deployment.target === 'swarm' ? ' and a swarm manager' : ''}?)`;
    return failRelease(log, release, why('no_deploy_target', { target: deployment.target }, message));
  }
  const ref = { project: deployment.spec.project, app: deployment.spec.app, env: deployment.spec.env };
  let outcome: DeployOutcome;
  let image: string | null = null;
  try {
    if (deployment.operation === 'scale') {
      const replicas = deployment.replicas ?? deployment.spec.replicas;
      log(`[slipway] scaling ${ref.app}/${ref.env} to ${replicas} replica${replicas === 1 ? '' : 's'}`);
      outcome = await target.scale(ref, replicas, log, input.signal);
    } else {
      image = deployment.image ?? spec.image ?? builtImageRef(spec.from, input.builtImages);
      if (!image) {
        return failRelease(log, release, noImageWhy(spec.from, input.builtImages.size));
      }
      log(`[slipway] deploying ${image} to ${ref.app}/${ref.env} (${deployment.target})`);
      outcome = await target.deploy({ ...deployment.spec, image }, log, input.signal);
    }
  } catch (error) {
    // The contract says targets do not throw for operational problems; still end visibly.
    const detail = error instanceof Error ? error.message : String(error);
    return failRelease(log, release, why('target_error', { detail }, `the deploy target failed: ${detail}`));
  }
  const digest = image ? digestOf(image) : undefined;
  switch (outcome.result) {
    case 'succeeded':
      log(`[slipway] ${ref.app}/${ref.env} runs ${outcome.image}`);
      return {
        status: 'succeeded',
        failure: null,
        release: release('succeeded', {
          ...(image ? { image } : {}),
          ...(digest !== undefined ? { digest } : {}),
        }),
      };
    case 'rolled_back': {
      const message = `rolled back, the previous version keeps serving: ${outcome.reason}`;
      return {
        ...fail(log, message),
        release: release('rolled_back', {
          reason: outcome.reason,
          ...(outcome.code ? { reasonCode: outcome.code, reasonParams: outcome.params ?? {} } : {}),
          ...(image ? { image, digest } : {}),
        }),
      };
    }
    case 'failed':
      return {
        ...fail(log, outcome.reason),
        release: release('failed', {
          reason: outcome.reason,
          ...(outcome.code ? { reasonCode: outcome.code, reasonParams: outcome.params ?? {} } : {}),
          ...(image ? { image, digest } : {}),
        }),
      };
    case 'canceled':
      return { status: 'canceled', failure: null, release: release('canceled') };
  }
}

/** The digest-pinned reference of a built image, falling back to its id when it was not pushed. */
export function builtImageRef(from: string | null, built: ReadonlyMap<string, BuiltImage>): string | null {
  const image = from ? built.get(from) : built.size === 1 ? [...built.values()][0] : undefined;
  if (!image) return null;
  return image.pushed && image.digest ? `${image.repository}@${image.digest}` : image.imageId;
}

function digestOf(image: string): string | null {
  const match = /@(sha256:[0-9a-f]{64})$/.exec(image);
  return match ? (match[1] as string) : null;
}

/** Why there is no image to deploy: several built and none named, or none built. */
function noImageWhy(from: string | null, built: number): Why {
  if (built > 1 && !from)
    return why(
      'ambiguous_image',
      { count: built },
      `this run built ${built} images; say which one to deploy with deploy.from`,
    );
  if (from) return why('no_built_image', { from }, `no image to deploy: build job "${from}" produced none`);
  return why('no_build_job', {}, 'no image to deploy: the run has no successful build job');
}

/** The job fails before the target ran; the release says why with a code the UI translates. */
function failRelease(
  log: DeployLog,
  release: (status: 'failed', extra: object) => NonNullable<JobResultMessage['release']>,
  w: Why,
): DeployJobOutcome {
  return {
    ...fail(log, w.reason),
    release: release('failed', { reason: w.reason, reasonCode: w.code, reasonParams: w.params }),
  };
}

/** The runtime prints the failure message as the job's last line; no need to log it here too. */
function fail(_log: DeployLog, message: string): DeployJobOutcome {
  return { status: 'failed', failure: { reason: 'backend_error', message }, release: undefined };
}

/**
 * The runtime's `deployJob` for one lease: deploy jobs find their deployment by name; the
 * target's log lines become the job's output.
 */
export function deployRunner(
  deployments: Record<string, LeaseDeployment> | undefined,
  targets: DeployTargets,
): DeployRunner {
  return async (job, ctx, output, signal) => {
    const outcome = await runDeployJob({
      job,
      deployment: deployments?.[job.name],
      builtImages: ctx.builtImages ?? new Map(),
      targets,
      log: (line) => output.write('stdout', Buffer.from(line.endsWith('\n') ? line : `${line}\n`)),
      signal,
    });
    return {
      status: outcome.status,
      failure: outcome.failure,
      exitCode: null,
      ...(outcome.release ? { release: outcome.release } : {}),
    };
  };
}
