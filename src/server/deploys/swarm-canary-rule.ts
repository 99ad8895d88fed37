import { AppError } from '../errors.js';

/**
 * A canary needs a proxy Slipway controls in front of the tasks. Swarm's ingress publishing
 * routes through the routing mesh, which balances connections across every task of a service
 * and cannot be given a share, so an environment on the swarm target may only have `rollout:`
 * when the agents publish through Slipway's proxy (SLIPWAY_SWARM_PUBLISH=proxy, or detected:
 * no IPVS). `swarmPublish` is what the server knows of its agents' mode (null: unknown, the
 * agent refuses at deploy time then). Throws a 400 naming `where`.
 */
export function refuseIngressCanary(
  environment: { target: string; config: { rollout?: unknown } },
  swarmPublish: 'ingress' | 'proxy' | null,
  where: string,
): void {
  if (environment.target !== 'swarm' || !environment.config.rollout || swarmPublish !== 'ingress') return;
  throw new AppError(
    'invalid',
    `${where}: a canary rollout on the swarm target needs the proxy publish mode (SLIPWAY_SWARM_PUBLISH=proxy); with ingress publishing the routing mesh balances connections across all tasks and cannot be given a share. Remove rollout or publish through the proxy.`,
    where,
    'canary_needs_swarm_proxy',
  );
}
