/**
 * A job's services: a network of their own (created only when there are services, since a
 * network costs every container on it ~0.2 s), one container per service reachable by its name.
 */
import type Dockerode from 'dockerode';
import type { JobResources } from '../../domain/job-resources.js';
import { writeSystemLine } from '../../domain/system-line-codes.js';
import type { JobOutput, ServiceSpec } from '../backend.js';
import { describeError, engineMessage, isNotFound } from './errors.js';
import { confinement } from './hardening.js';
import { resourceName } from './labels.js';

export interface ServiceGroupSpec {
  runId: string;
  job: string;
  services: ServiceSpec[];
  /** Labels for the network; a service's also get `io.slipway.service`. */
  labels: (service?: string) => Record<string, string>;
  /** Each service container gets its job's limits and the same confinement (hardening.ts). */
  resources: JobResources;
}

export class ServiceGroup {
  readonly network: string;
  private networkCreated = false;
  private readonly containers: Dockerode.Container[] = [];

  constructor(
    private readonly docker: Dockerode,
    private readonly spec: ServiceGroupSpec,
  ) {
    this.network = resourceName(spec.runId, spec.job);
  }

  /** Creates the network and starts every service; a readable error, or null when all run. */
  async start(output: JobOutput): Promise<string | null> {
    try {
      await this.docker.createNetwork({
        Name: this.network,
        Labels: this.spec.labels(),
        CheckDuplicate: true,
      });
      this.networkCreated = true;
    } catch (err) {
      return describeError(`creating network ${this.network}`, err);
    }
    const failures = await Promise.all(this.spec.services.map((s) => this.startOne(s, output)));
    return failures.find((f) => f !== null) ?? null;
  }

  private async startOne(service: ServiceSpec, output: JobOutput): Promise<string | null> {
    try {
      const container = await this.docker.createContainer({
        name: resourceName(this.spec.runId, this.spec.job, 'svc', service.name),
        Image: service.image,
        ...(service.command ? { Cmd: service.command } : {}),
        Env: Object.entries(service.env).map(([key, value]) => `${key}=${value}`),
        Labels: this.spec.labels(service.name),
        HostConfig: { ...confinement(this.spec.resources), Init: true, NetworkMode: this.network },
        NetworkingConfig: { EndpointsConfig: { [this.network]: { Aliases: [service.name] } } },
      });
      this.containers.push(container);
      await container.start();
      writeSystemLine(
        output,
        'service.started',
        { name: service.name, image: service.image },
        `service ${service.name}: started (${service.image})`,
      );
      return null;
    } catch (err) {
      return describeError(`starting service ${service.name}`, err);
    }
  }

  /** Removes the services, then their network. Never throws: destroyRun sweeps what is left. */
  async remove(output: JobOutput): Promise<void> {
    await Promise.all(
      this.containers.map((c) =>
        c.remove({ force: true }).catch((err: unknown) => {
          if (!isNotFound(err))
            writeSystemLine(
              output,
              'service.remove_failed',
              { detail: engineMessage(err) },
              describeError('removing a service container', err),
            );
        }),
      ),
    );
    if (!this.networkCreated) return;
    await this.docker
      .getNetwork(this.network)
      .remove()
      .catch((err: unknown) => {
        if (!isNotFound(err))
          writeSystemLine(
            output,
            'network.remove_failed',
            { network: this.network, detail: engineMessage(err) },
            describeError(`removing network ${this.network}`, err),
          );
      });
  }
}
