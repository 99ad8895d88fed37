import type { RolloutConfig } from '../../api/rollout-config.js';
import type { LeaseDeployment } from '../../protocol/agent-protocol.js';
import type { ReleaseRow } from '../store/tables.js';

type DeploySpecMessage = Extract<LeaseDeployment, { spec: unknown }>['spec'];

/**
 * What every deployed container learns about itself (docker and swarm alike, since they are
 * plain variables of the spec): the release number, the environment, and the commit the image
 * was built from (empty when the release has none, e.g. an image deployed by hand). They come
 * last, so a user variable of the same name cannot make a container lie about its release.
 */
export function releaseVariables(
  release: Pick<ReleaseRow, 'number' | 'source_sha'>,
  env: string,
): Record<string, string> {
  return {
    SLIPWAY_RELEASE: String(release.number),
    SLIPWAY_ENVIRONMENT: env,
    SLIPWAY_COMMIT_SHA: release.source_sha ?? '',
  };
}

/** The environment's `rollout:` as the agent's canary runs it (null: switch at once). */
export function canarySpec(rollout: RolloutConfig | null | undefined): DeploySpecMessage['rollout'] {
  if (!rollout) return null;
  return {
    steps: rollout.steps,
    bakeMs: rollout.bake,
    minRequests: rollout.min_requests,
    ...(rollout.max_error_rate !== undefined ? { maxErrorRate: rollout.max_error_rate } : {}),
    ...(rollout.max_p95_ms !== undefined ? { maxP95Ms: rollout.max_p95_ms } : {}),
  };
}
