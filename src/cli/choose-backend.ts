import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Dockerode from 'dockerode';
import type { Backend } from '../backends/backend.js';
import { DockerBackend } from '../backends/docker/docker-backend.js';
import type { WarmOptions } from '../backends/docker/warm-pools.js';
import { LocalBackend } from '../backends/local/local-backend.js';
import { UsageError } from './usage-error.js';

export type BackendChoice = 'docker' | 'local' | 'auto';

export interface ChosenBackend {
  backend: Backend;
  docker: Dockerode | null;
  /** Printed loudly: running on the host is not isolated and ignores images. */
  warning: string | null;
}

/**
 * `docker` insists on the engine (clear error when it is down); `local` runs on the host;
 * `auto` uses Docker when the engine answers and falls back to the host with a warning.
 * The engine address comes from DOCKER_HOST (read by the caller) or the default socket.
 * `scope` is the installation the backend works for: what it creates carries it, and its
 * cleanup and pruning never touch another installation's resources (nor its local directory).
 */
export async function chooseBackend(
  choice: BackendChoice,
  dockerHost: string | undefined,
  scope?: string,
  warm?: WarmOptions,
): Promise<ChosenBackend> {
  const local = (why: string): ChosenBackend => ({
    backend: new LocalBackend({ baseDir: join(tmpdir(), 'slipway-local', ...(scope ? [scope] : [])) }),
    docker: null,
    warning: `${why}: jobs run directly on this machine with the local backend — no container isolation, images and services are ignored.`,
  });
  if (choice === 'local') return local('--backend local');
  const docker = new Dockerode(dockerOptions(dockerHost));
  const backend = new DockerBackend({ docker, ...(scope ? { scope } : {}), ...(warm ? { warm } : {}) });
  const probe = await backend.probe();
  if (probe.ok) return { backend, docker, warning: null };
  if (choice === 'docker') throw new UsageError(probe.reason);
  return local(`Docker is not available (${probe.reason})`);
}

export function dockerOptions(host: string | undefined): Dockerode.DockerOptions {
  if (!host) return { socketPath: '/var/run/docker.sock' };
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) };
  const url = new URL(host.replace(/^tcp:/, 'http:'));
  return { host: url.hostname, port: Number(url.port || 2375), protocol: 'http' };
}
