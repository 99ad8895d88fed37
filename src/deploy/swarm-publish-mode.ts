import { existsSync } from 'node:fs';
import { release } from 'node:os';

/**
 * Swarm's routing mesh (ingress publishing) needs IPVS in the kernel. Some VMs are built
 * without it: then published ports silently never answer. We detect it instead of letting a
 * deploy "succeed" into a service nobody can reach, and fall back to Slipway's own port proxy
 * (single-node Swarm only). `SLIPWAY_SWARM_PUBLISH=ingress|proxy` overrides the guess.
 */
export function detectSwarmPublishMode(override: string | undefined = undefined): 'ingress' | 'proxy' {
  if (override === 'ingress' || override === 'proxy') return override;
  const loaded = existsSync('/proc/sys/net/ipv4/vs');
  const asModule = existsSync(`/lib/modules/${release()}/kernel/net/netfilter/ipvs`);
  return loaded || asModule ? 'ingress' : 'proxy';
}
