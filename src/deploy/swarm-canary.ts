/**
 * A canary on Docker Swarm (publish mode `proxy` only): the new version runs as a second
 * service, `<environment>-canary`, on the environment's network next to the stable service;
 * the target's port proxy splits requests between the two services' tasks by the step's share,
 * and the stepping and judging are the ones the docker target uses (canaryStage).
 *
 * Failed: all traffic back on the stable tasks, the canary service removed, `rolled_back` with
 * the judge's evidence. Passed: the canary takes 100 % while Swarm updates the stable service
 * to the new version (its own start-first rolling update); once that completed, the proxy
 * switches to the updated stable tasks in one step, the canary's open requests drain, and the
 * canary service goes. Users only ever reach tasks that are running and healthy, so no request
 * fails for the promotion — it costs a second start of the new version instead.
 *
 * Ingress publishing cannot do this: the routing mesh balances connections across every task
 * of a service, and Slipway has no way to weight it (see INGRESS_CANARY_REFUSAL).
 */
import type Dockerode from 'dockerode';
import { isNotFound } from '../backends/docker/errors.js';
import { canaryStage } from './canary-rollout.js';
import type { DeployLog, DeployOutcome, DeploySpec, EnvironmentRef } from './deploy-target.js';
import type { EnvironmentProxies } from './environment-proxies.js';
import { sleep } from './health-wait.js';
import { environmentName, LABEL_DEPLOY_RELEASE } from './labels.js';
import type { SwarmService } from './swarm-services.js';
import { serviceTasks, servingTasks, taskUpstreams } from './swarm-tasks.js';
import type { TrafficRecorder } from './traffic-recorder.js';

/** Marks the canary service, so `list` and `restore` never take it for an environment. */
export const LABEL_CANARY = 'io.slipway.deploy.canary';

export const INGRESS_CANARY_REFUSAL =
  'a canary rollout on Docker Swarm needs the proxy publish mode (SLIPWAY_SWARM_PUBLISH=proxy): with ingress publishing the routing mesh balances connections across all tasks of a service and cannot be given a share';

export function canaryServiceName(ref: EnvironmentRef): string {
  return `${environmentName(ref)}-canary`;
}

export function isCanaryService(service: SwarmService): boolean {
  return service.Spec?.Labels?.[LABEL_CANARY] === 'true';
}

/** What the canary needs from the Swarm target: its proxies and its ways to wait and update. */
export interface SwarmCanaryDeps {
  docker: Dockerode;
  proxies: EnvironmentProxies;
  recorder: TrafficRecorder;
  drainTimeoutMs: number;
  /** Null once `replicas` tasks of the service `name` serve, else the failed/canceled outcome. */
  waitConverged(name: string, replicas: number, signal: AbortSignal): Promise<DeployOutcome | null>;
  /** Updates the stable service to `body` and follows Swarm's rolling update to its end. */
  updateStable(body: Record<string, unknown>): Promise<DeployOutcome>;
  /** Points the proxy's stable set at the stable service's serving tasks. */
  refreshStable(): Promise<void>;
}

/**
 * The whole rollout of `spec` as a canary next to `stable` (which serves). `body` is the
 * stable service's new spec; the canary service is the same but for its name and label.
 */
export async function swarmCanaryRollOut(
  deps: SwarmCanaryDeps,
  spec: DeploySpec & { rollout: NonNullable<DeploySpec['rollout']> },
  stable: SwarmService,
  body: Record<string, unknown>,
  log: DeployLog,
  signal: AbortSignal,
): Promise<DeployOutcome> {
  const name = canaryServiceName(spec);
  // A canary left behind by an interrupted rollout (agent restart) is not this release's.
  await removeCanaryService(deps.docker, spec);
  log(`creating canary service ${name} (${spec.replicas} replica(s))`);
  await deps.docker.createService(canarySpec(body, name));
  const started = await deps.waitConverged(name, spec.replicas, signal);
  if (started !== null) {
    await removeCanaryService(deps.docker, spec);
    if (started.result !== 'failed') return started;
    log(`canary not ready: ${started.reason}; the previous version keeps serving`);
    return { result: 'rolled_back', reason: started.reason, code: started.code, params: started.params };
  }
  const tasks = servingTasks(await serviceTasks(deps.docker, name));
  const canaryAddresses = (await taskUpstreams(deps.docker, tasks, environmentName(spec))).map(
    (u) => u.address,
  );
  const stopped = await canaryStage(
    {
      ref: spec,
      proxies: deps.proxies,
      recorder: deps.recorder,
      rollout: spec.rollout,
      stableRelease: stable.Spec?.Labels?.[LABEL_DEPLOY_RELEASE] ?? null,
      canaryRelease: spec.releaseId,
      canaryAddresses,
      log,
      signal,
    },
    deps.drainTimeoutMs,
    () => removeCanaryService(deps.docker, spec),
  );
  if (stopped) return stopped;

  // Promotion: everything on the canary while the stable service rolls to the same version.
  deps.proxies.setCanary(canaryAddresses, spec.releaseId, 1);
  log(`canary passed: 100 % on the canary while service ${environmentName(spec)} is updated`);
  const updated = await deps.updateStable(body);
  await deps.refreshStable();
  deps.proxies.clearCanary();
  if (updated.result === 'succeeded') log(`traffic switched to service ${environmentName(spec)}`);
  await deps.proxies.drain(canaryAddresses, deps.drainTimeoutMs);
  await removeCanaryService(deps.docker, spec);
  log(`removed canary service ${name}`);
  return updated;
}

/** The canary's service spec: the new stable spec renamed, marked, and without the DNS alias. */
function canarySpec(body: Record<string, unknown>, name: string): Record<string, unknown> {
  const labels = { ...(body.Labels as Record<string, string>), [LABEL_CANARY]: 'true' };
  const template = body.TaskTemplate as Record<string, unknown> & { Networks?: { Target: string }[] };
  return {
    ...body,
    Name: name,
    Labels: labels,
    TaskTemplate: {
      ...template,
      // Other services of the environment reach the app by its name: that stays the stable one.
      ...(template.Networks ? { Networks: template.Networks.map((n) => ({ Target: n.Target })) } : {}),
    },
  };
}

/** Removes the environment's canary service and waits (bounded) until its containers are gone. */
export async function removeCanaryService(docker: Dockerode, ref: EnvironmentRef): Promise<void> {
  const name = canaryServiceName(ref);
  try {
    await docker.getService(name).remove();
  } catch (err) {
    if (isNotFound(err)) return;
    throw err;
  }
  const filters = { label: [`com.docker.swarm.service.name=${name}`] };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && (await docker.listContainers({ all: true, filters })).length > 0)
    await sleep(200);
}
