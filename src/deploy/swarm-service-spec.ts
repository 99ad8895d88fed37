/**
 * The Swarm service spec of a deploy: one replicated service per environment, health check in
 * the container spec, start-first/stop-first rolling updates that roll back on failure.
 */
import type { DeploySpec } from './deploy-target.js';
import { engineHealthcheck, envList } from './engine-config.js';
import { environmentName, releaseLabels } from './labels.js';

const NS_PER_MS = 1_000_000;

export interface ServiceSpecOptions {
  /** The image reference given to Swarm (a local image id or a digest-pinned reference). */
  image: string;
  /** `ingress`: ports through the routing mesh; `proxy`: no published ports, on `network`. */
  publish: 'ingress' | 'proxy';
  network: string | null;
  monitorMs: number;
  stopGraceSeconds: number;
}

export function serviceSpec(spec: DeploySpec, o: ServiceSpecOptions): Record<string, unknown> {
  const labels = releaseLabels(spec);
  const update = {
    Parallelism: Math.max(1, spec.update.parallelism),
    Delay: spec.update.delayMs * NS_PER_MS,
    FailureAction: spec.update.failureAction,
    Monitor: o.monitorMs * NS_PER_MS,
    MaxFailureRatio: 0,
    Order: spec.update.order,
  };
  const limits: Record<string, number> = {};
  if (spec.resources.cpus !== null) limits.NanoCPUs = Math.round(spec.resources.cpus * 1e9);
  if (spec.resources.memoryMb !== null)
    limits.MemoryBytes = Math.round(spec.resources.memoryMb * 1024 * 1024);
  return {
    Name: environmentName(spec),
    Labels: labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: o.image,
        Env: envList(spec.variables),
        Labels: labels,
        ...(spec.healthcheck ? { HealthCheck: engineHealthcheck(spec.healthcheck) } : {}),
        StopGracePeriod: o.stopGraceSeconds * 1_000 * NS_PER_MS,
        // An init as PID 1 forwards SIGTERM, so the application can stop gracefully.
        Init: true,
      },
      Resources: { Limits: limits },
      RestartPolicy: { Condition: 'any', Delay: 1_000 * NS_PER_MS },
      ...(o.network ? { Networks: [{ Target: o.network, Aliases: [spec.app] }] } : {}),
    },
    Mode: { Replicated: { Replicas: spec.replicas } },
    UpdateConfig: update,
    RollbackConfig: { ...update, FailureAction: 'pause' },
    EndpointSpec:
      o.publish === 'ingress'
        ? {
            Mode: 'vip',
            Ports: spec.ports.map((p) => ({
              Protocol: 'tcp',
              TargetPort: p.target,
              PublishedPort: p.published,
              PublishMode: 'ingress',
            })),
          }
        : { Mode: 'dnsrr' },
  };
}
