/**
 * What the local Docker target and the Swarm target do alike: one operation per environment
 * at a time with engine errors turned into a `failed` outcome, the status of an environment
 * with nothing deployed, and the environment's own network.
 */
import type Dockerode from 'dockerode';
import { describeError, engineMessage, isNotFound } from '../backends/docker/errors.js';
import type { DeployOutcome, EnvironmentRef, EnvironmentStatus } from './deploy-target.js';
import type { EnvironmentLocks } from './env-lock.js';
import { environmentKey, environmentLabels, environmentName } from './labels.js';
import { why } from './release-why.js';

/** A step failed for a reason already worded for the user; becomes a `failed` outcome. */
export class DeployFailure extends Error {}

/**
 * Runs `work` under the environment's lock. A DeployFailure or an engine error (HTTP status or
 * connection code) becomes `failed` — a deploy reports its outcome, it never throws.
 */
export async function lockedOutcome(
  locks: EnvironmentLocks,
  ref: EnvironmentRef,
  engine: string,
  work: () => Promise<DeployOutcome>,
): Promise<DeployOutcome> {
  try {
    return await locks.run(environmentKey(ref), work);
  } catch (err) {
    if (err instanceof DeployFailure)
      return { result: 'failed', ...why('deploy_step_failed', { detail: err.message }, err.message) };
    if (
      typeof (err as { statusCode?: unknown }).statusCode === 'number' ||
      (err as { code?: unknown }).code
    ) {
      const detail = engineMessage(err);
      return { result: 'failed', ...why('engine_error', { engine, detail }, `${engine}: ${detail}`) };
    }
    throw err;
  }
}

export function nothingDeployed(): EnvironmentStatus {
  return { running: false, image: null, releaseId: null, replicas: { desired: 0, running: 0, healthy: 0 } };
}

/**
 * The environment's bridge network, created when missing (`swarm` scope lets Swarm tasks join
 * it while the host still reaches them directly). Returns its name.
 */
export async function ensureEnvironmentNetwork(
  docker: Dockerode,
  ref: EnvironmentRef,
  scope: 'local' | 'swarm',
): Promise<string> {
  const name = environmentName(ref);
  try {
    await docker.getNetwork(name).inspect();
  } catch (err) {
    if (!isNotFound(err)) throw err;
    try {
      await docker.createNetwork({
        Name: name,
        Driver: 'bridge',
        ...(scope === 'swarm' ? { Scope: 'swarm' } : {}),
        CheckDuplicate: true,
        Labels: environmentLabels(ref),
      } as Dockerode.NetworkCreateOptions);
    } catch (createErr) {
      throw new DeployFailure(describeError(`creating network ${name}`, createErr));
    }
  }
  return name;
}
