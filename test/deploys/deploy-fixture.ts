/**
 * Shared setup of the whole-loop deploy tests: an agent running in this process on the real
 * engine (Docker backend + deploy targets), and a project with one application whose single
 * environment serves the small HTTP service image on a published port.
 */
import assert from 'node:assert/strict';
import type Dockerode from 'dockerode';
import { type AgentOptions, runAgent } from '../../src/agent/agent.js';
import { DockerBackend } from '../../src/backends/docker/docker-backend.js';
import { HTTP_SERVICE_PORT } from '../support/http-service-image.js';
import type { TestServer } from '../support/server.js';

/** Starts the agent; the returned function stops it and waits until it has stopped. */
export function startDeployAgent(
  docker: Dockerode,
  options: Pick<AgentOptions, 'transport' | 'log'> & Partial<AgentOptions>,
): () => Promise<void> {
  const stop = new AbortController();
  const done = runAgent({
    backend: new DockerBackend({ docker }),
    capacity: 1,
    signal: stop.signal,
    leaseWaitMs: 200,
    logFlushMs: 10,
    docker,
    ...options,
  });
  return async () => {
    stop.abort();
    await done;
  };
}

/** Creates a built-in project and an application with one `docker` environment on `port`. */
export async function createWebApplication(
  t: TestServer,
  names: { project: string; app: string; env: string },
  port: number,
  variables: Record<string, string> = {},
): Promise<void> {
  const created = await t.api('/api/projects', {
    method: 'POST',
    body: JSON.stringify({
      visibility: 'internal',
      name: names.project,
      source: { kind: 'builtin' },
    }),
  });
  assert.equal(created.status, 201, await created.text());
  const appRes = await t.api(`/api/projects/${names.project}/applications`, {
    method: 'POST',
    body: JSON.stringify({
      name: names.app,
      environments: [
        {
          name: names.env,
          target: 'docker',
          config: {
            ports: [{ published: port, target: HTTP_SERVICE_PORT }],
            healthcheck: { http: { path: '/health', port: HTTP_SERVICE_PORT }, intervalMs: 500, retries: 5 },
            variables,
          },
        },
      ],
    }),
  });
  assert.equal(appRes.status, 201, await appRes.text());
}
