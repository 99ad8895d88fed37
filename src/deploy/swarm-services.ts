/**
 * The Swarm target's engine calls on services (inspect, versioned update), its preconditions
 * (a manager node, an image Swarm can run) and how a service reads back as an environment
 * status. Kept apart from swarm-target.ts so that file reads as the update procedure only.
 */
import type Dockerode from 'dockerode';
import { isNotFound } from '../backends/docker/errors.js';
import type { DeployLog, EnvironmentRef, EnvironmentStatus } from './deploy-target.js';
import { environmentName, LABEL_DEPLOY_IMAGE, LABEL_DEPLOY_RELEASE } from './labels.js';
import { ensureLocalImage } from './local-image.js';
import { type Why, why } from './release-why.js';

/** The parts of an engine service description the target reads. */
export interface SwarmService {
  ID: string;
  Version?: { Index?: number };
  Spec?: Record<string, unknown> & {
    Labels?: Record<string, string>;
    Mode?: { Replicated?: { Replicas?: number } };
  };
  UpdateStatus?: { State?: string; StartedAt?: string; Message?: string };
}

/** A reason when this engine is not a Swarm manager, else null. */
export async function swarmProblem(docker: Dockerode): Promise<Why | null> {
  const info = (await docker.info()) as {
    Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean };
  };
  const state = info.Swarm?.LocalNodeState ?? 'unknown';
  if (state === 'active' && info.Swarm?.ControlAvailable) return null;
  return state === 'active'
    ? why(
        'swarm_worker',
        {},
        'this Docker engine is a Swarm worker, not a manager; the agent must talk to a manager node',
      )
    : why(
        'swarm_inactive',
        { state },
        `Docker Swarm is not active on this engine (state: ${state}); run \`docker swarm init\` on the agent's engine or use the docker target`,
      );
}

/**
 * A digest-pinned reference goes to Swarm as is. A tag present on this engine goes as its
 * local image id: Swarm then runs it without asking a registry (like `--no-resolve-image`,
 * and it never tries to pull a tag that exists only here). Single-node: other nodes would
 * need the image too.
 */
export async function swarmImage(
  docker: Dockerode,
  image: string,
  log: DeployLog,
  pullTimeoutMs: number,
): Promise<{ ref: string } | Why> {
  if (/@sha256:[0-9a-f]{64}$/.test(image) || /^sha256:[0-9a-f]{64}$/.test(image)) return { ref: image };
  const local = await ensureLocalImage(docker, image, log, pullTimeoutMs);
  return 'reason' in local ? local : { ref: local.id };
}

/** The environment's service, or null when there is none. */
export async function inspectService(docker: Dockerode, ref: EnvironmentRef): Promise<SwarmService | null> {
  try {
    return (await docker.getService(environmentName(ref)).inspect()) as SwarmService;
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

export async function updateService(
  docker: Dockerode,
  service: SwarmService,
  spec: Record<string, unknown>,
): Promise<void> {
  // The version makes a concurrent change fail instead of being silently overwritten.
  await docker
    .getService(service.ID)
    .update({ _query: { version: service.Version?.Index ?? 0 }, _body: spec } as unknown as Record<
      string,
      unknown
    >);
}

/** What a service amounts to, given how many of its tasks serve now. */
export function serviceStatus(service: SwarmService, serving: number): EnvironmentStatus {
  const labels = service.Spec?.Labels ?? {};
  return {
    running: serving > 0,
    image: labels[LABEL_DEPLOY_IMAGE] ?? null,
    releaseId: labels[LABEL_DEPLOY_RELEASE] ?? null,
    // Swarm reports a task with a health check running only once it is healthy.
    replicas: {
      desired: service.Spec?.Mode?.Replicated?.Replicas ?? 0,
      running: serving,
      healthy: serving,
    },
  };
}
