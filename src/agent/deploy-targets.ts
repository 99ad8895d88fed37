import type Dockerode from 'dockerode';
import { DockerTarget } from '../deploy/docker-target.js';
import { detectSwarmPublishMode } from '../deploy/swarm-publish-mode.js';
import { SwarmTarget } from '../deploy/swarm-target.js';
import { TrafficRecorder } from '../deploy/traffic-recorder.js';
import type { DeployTargets } from './deploy-job.js';

export interface OpenTargets {
  targets: DeployTargets;
  /** What both targets' proxies count, for the traffic reporter (null without an engine). */
  recorder: TrafficRecorder | null;
  /** Releases the targets' own resources (port proxies); what runs keeps running. */
  close(): Promise<void>;
}

/**
 * One DockerTarget and one SwarmTarget per agent, on the engine the agent talks to. The local
 * target takes over what a previous agent process left running (its port proxies are re-bound
 * from container labels), so a restart of the agent does not take applications offline for
 * longer than the restart. Without an engine the agent has no targets: deploy jobs fail saying so.
 */
export async function openDeployTargets(
  docker: Dockerode | null,
  log: (message: string) => void,
  swarmPublish: 'ingress' | 'proxy' = detectSwarmPublishMode(),
  /** Where port proxies listen (local deploys, Swarm in proxy mode); Swarm's ingress binds every interface. */
  publishHost = '0.0.0.0',
): Promise<OpenTargets> {
  if (!docker) return { targets: {}, recorder: null, close: async () => {} };
  const recorder = new TrafficRecorder();
  const local = new DockerTarget({ docker, listenHost: publishHost, recorder });
  const swarm = new SwarmTarget({ docker, publish: swarmPublish, listenHost: publishHost, recorder });
  const prefix = (kind: string) => (line: string) => log(`deploy target ${kind}: ${line}`);
  await local
    .restore(prefix('docker'))
    .catch((error: unknown) => log(`restoring deployments failed: ${String(error)}`));
  await swarm
    .restore(prefix('swarm'))
    .catch((error: unknown) => log(`restoring swarm proxies failed: ${String(error)}`));
  return {
    targets: { docker: local, swarm },
    recorder,
    close: async () => {
      await Promise.allSettled([local.close(), swarm.close()]);
    },
  };
}
