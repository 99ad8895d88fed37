/**
 * The engine calls the Docker target makes on single containers, and how it reads a set of
 * them back (which release is live, how healthy it is). Kept apart from docker-target.ts so
 * that file reads as the roll-out procedure only.
 */
import type Dockerode from 'dockerode';
import { describeError, engineMessage, isNotFound } from '../backends/docker/errors.js';
import type { DeploySpec, EnvironmentRef, EnvironmentStatus } from './deploy-target.js';
import { engineHealthcheck, engineResources, envList } from './engine-config.js';
import {
  environmentKey,
  environmentName,
  LABEL_DEPLOY_IMAGE,
  LABEL_DEPLOY_RELEASE,
  refFromLabels,
  releaseLabels,
} from './labels.js';
import { DeployFailure, nothingDeployed } from './target-support.js';

export type ContainerSummary = Dockerode.ContainerInfo;

/** Creates (does not start) one container of a release on the environment's network. */
export async function createReleaseContainer(
  docker: Dockerode,
  spec: DeploySpec,
  name: string,
  network: string,
): Promise<string> {
  try {
    const container = await docker.createContainer({
      name,
      Image: spec.image,
      Env: envList(spec.variables),
      Labels: releaseLabels(spec),
      ...(spec.healthcheck ? { Healthcheck: engineHealthcheck(spec.healthcheck) } : {}),
      HostConfig: {
        NetworkMode: network,
        RestartPolicy: { Name: 'unless-stopped' },
        // An init as PID 1 forwards SIGTERM, so the application can stop gracefully.
        Init: true,
        ...engineResources(spec.resources),
      },
      NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: [spec.app] } } },
    });
    return container.id;
  } catch (err) {
    throw new DeployFailure(describeError(`creating container ${name}`, err));
  }
}

/** The containers' addresses on the environment's network (those without one are left out). */
export async function containerAddresses(
  docker: Dockerode,
  ref: EnvironmentRef,
  ids: string[],
): Promise<string[]> {
  const network = environmentName(ref);
  const infos = await Promise.all(ids.map((id) => docker.getContainer(id).inspect()));
  return infos.map((i) => i.NetworkSettings.Networks[network]?.IPAddress ?? '').filter((ip) => ip !== '');
}

/** Stops (with a grace period, if any) and removes a container; one already gone is fine. */
export async function removeContainer(docker: Dockerode, id: string, graceSeconds: number): Promise<void> {
  const container = docker.getContainer(id);
  try {
    if (graceSeconds > 0) await container.stop({ t: graceSeconds }).catch(() => {});
    await container.remove({ force: true });
  } catch (err) {
    if (!isNotFound(err) && !/already in progress/.test(engineMessage(err))) throw err;
  }
}

/** Containers grouped by the environment their labels name; unlabelled ones are skipped. */
export function groupByEnvironment(
  containers: ContainerSummary[],
): Map<string, { ref: EnvironmentRef; containers: ContainerSummary[] }> {
  const byEnv = new Map<string, { ref: EnvironmentRef; containers: ContainerSummary[] }>();
  for (const c of containers) {
    const ref = refFromLabels(c.Labels);
    if (!ref) continue;
    const key = environmentKey(ref);
    const entry = byEnv.get(key) ?? { ref, containers: [] };
    entry.containers.push(c);
    byEnv.set(key, entry);
  }
  return byEnv;
}

/** What an environment's containers amount to: the live release's replicas and their health. */
export function statusOf(containers: ContainerSummary[]): EnvironmentStatus {
  const live = liveContainers(containers);
  const first = live[0];
  if (!first) return nothingDeployed();
  const running = live.filter((c) => c.State === 'running');
  return {
    running: running.length > 0,
    image: first.Labels[LABEL_DEPLOY_IMAGE] ?? first.Image,
    releaseId: first.Labels[LABEL_DEPLOY_RELEASE] ?? null,
    replicas: {
      desired: live.length,
      running: running.length,
      healthy: running.filter((c) => !/\((unhealthy|health: starting)\)/.test(c.Status)).length,
    },
  };
}

/**
 * What serves an environment: the containers of the release whose newest container was
 * created last (a crash mid-deploy can leave two releases; the newer one is what was chosen).
 */
export function liveContainers(all: ContainerSummary[]): ContainerSummary[] {
  const newest = [...all].sort((a, b) => b.Created - a.Created)[0];
  if (!newest) return [];
  const release = newest.Labels[LABEL_DEPLOY_RELEASE];
  return all.filter((c) => c.Labels[LABEL_DEPLOY_RELEASE] === release).sort((a, b) => a.Created - b.Created);
}
