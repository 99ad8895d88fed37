/**
 * Shared setup of the whole-loop deploy tests: an agent running in this process on the real
 * engine (Docker backend + deploy targets), and a project with one application whose single
 * environment serves the small HTTP service image on a published port.
 */
import assert from 'node:assert/strict';
import type Dockerode from 'dockerode';
import { type AgentOptions, runAgent } from '../../src/agent/agent.js';
import { HttpTransport } from '../../src/agent/http-transport.js';
import { DockerBackend } from '../../src/backends/docker/docker-backend.js';
import { createAgent } from '../../src/server/queue/agent-registry.js';
import { LocalTransport } from '../../src/server/queue/local-transport.js';
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

/**
 * Registers agent `name` on `t` and starts it (see startDeployAgent), leasing from the server's
 * queue in-process or, with `over: 'http'`, through the agent protocol with its token.
 */
export async function startRegisteredDeployAgent(
  t: TestServer,
  docker: Dockerode,
  name: string,
  options: { over?: 'queue' | 'http'; log: AgentOptions['log'] } & Partial<Omit<AgentOptions, 'transport'>>,
): Promise<() => Promise<void>> {
  const { over = 'queue', ...rest } = options;
  const { agent, token } = await createAgent(t.server.ctx.db, { name, embedded: false, now: Date.now() });
  const transport =
    over === 'http'
      ? new HttpTransport({ server: t.url, token })
      : new LocalTransport(t.server.ctx.queue, agent.id);
  return startDeployAgent(docker, { transport, ...rest });
}

/** What the release list says of a release, as far as waiting for its end needs. */
export interface ReleaseStatus {
  number: number;
  status: string;
}

/**
 * Polls release `number` of `app` in `env` until it has ended (bounded: a rollout waits for health
 * checks); on timeout the error carries the agent's log.
 */
export async function releaseEnded<R extends ReleaseStatus>(
  t: TestServer,
  where: { project: string; app: string; env: string },
  number: number,
  opts: { timeoutMs: number; agentLog: string[] },
): Promise<R> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const res = await t.api(
      `/api/projects/${where.project}/applications/${where.app}/releases?env=${where.env}`,
    );
    const { releases } = (await res.json()) as { releases: R[] };
    const release = releases.find((r) => r.number === number);
    if (release && ['succeeded', 'failed', 'rolled_back', 'canceled'].includes(release.status))
      return release;
    if (Date.now() > deadline)
      throw new Error(
        `release #${number} did not end: ${JSON.stringify(release)}\n${opts.agentLog.join('\n')}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
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

/**
 * An agent's report of one docker environment through the agent API, as the agent's observer
 * sends it: one container of `image`, running, `healthy` of 1 healthy, of release `releaseId`.
 */
export function reportEnvironment(
  url: string,
  agentToken: string,
  at: { project: string; app: string; env: string },
  opts: { healthy: number; releaseId: string | null; image?: string },
): Promise<Response> {
  return fetch(`${url}/api/agent/environments`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${agentToken}`,
      'x-slipway-protocol': '1',
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      environments: [
        {
          ...at,
          target: 'docker',
          running: true,
          image: opts.image ?? 'example/web:1',
          releaseId: opts.releaseId,
          replicas: { desired: 1, running: 1, healthy: opts.healthy },
        },
      ],
    }),
  });
}
