/**
 * Deploy tests need a Swarm manager: a single-node swarm advertised on loopback is created
 * when the engine is in none (idempotent; it is left in place for other test files).
 */
import type Dockerode from 'dockerode';

export async function ensureSwarm(docker: Dockerode): Promise<void> {
  const info = (await docker.info()) as { Swarm?: { LocalNodeState?: string } };
  if (info.Swarm?.LocalNodeState === 'active') return;
  try {
    await docker.swarmInit({ ListenAddr: '127.0.0.1:2377', AdvertiseAddr: '127.0.0.1' });
  } catch (err) {
    // Another test file may have initialised it a moment ago.
    if (!/already part of a swarm/i.test(String((err as Error).message))) throw err;
  }
}

/**
 * The routing mesh needs IPVS in the kernel; without it (some VMs) published ingress ports
 * never answer, so tests fall back to the target's port proxy in front of the tasks.
 */
export function swarmPublishMode(): 'ingress' | 'proxy' {
  const forced = process.env.SLIPWAY_TEST_SWARM_PUBLISH;
  if (forced === 'ingress' || forced === 'proxy') return forced;
  return 'proxy';
}
