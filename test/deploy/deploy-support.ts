/**
 * Shared by the deploy target tests and the benchmark: specs, a free loopback port, one GET,
 * and a bounded request loop that counts failed requests during a rollout.
 */
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { createServer } from 'node:net';
import type Dockerode from 'dockerode';
import type { DeploySpec } from '../../src/deploy/deploy-target.js';

export function uniqueRef(prefix: string): { project: string; app: string; env: string } {
  return { project: `t${randomUUID().slice(0, 6)}`, app: prefix, env: 'prod' };
}

export function specFor(
  ref: { project: string; app: string; env: string },
  image: string,
  port: number,
  overrides: Partial<DeploySpec> = {},
): DeploySpec {
  return {
    ...ref,
    releaseId: randomUUID(),
    image,
    replicas: 1,
    ports: [{ published: port, target: 8080 }],
    variables: { GREETING: 'hello' },
    healthcheck: {
      kind: 'http',
      path: '/health',
      port: 8080,
      intervalMs: 500,
      timeoutMs: 1000,
      retries: 3,
      startPeriodMs: 0,
    },
    resources: { cpus: 0.5, memoryMb: 64 },
    update: { order: 'start-first', parallelism: 1, failureAction: 'rollback', delayMs: 0 },
    labels: { 'io.slipway.test': 'deploy' },
    ...overrides,
  };
}

/** A port that was free a moment ago (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** GET on a new connection (no keep-alive), bounded by `timeoutMs`. */
export function get(
  port: number,
  path: string,
  timeoutMs = 2_000,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

export interface LoopResult {
  ok: number;
  failed: number;
  errors: string[];
  versions: Set<string>;
}

/** Requests `/version` every `everyMs` until stopped (and at most `maxMs`), counting failures. */
export function requestLoop(
  port: number,
  everyMs = 20,
  maxMs = 180_000,
): { stop: () => Promise<LoopResult> } {
  const result: LoopResult = { ok: 0, failed: 0, errors: [], versions: new Set() };
  let stopped = false;
  const deadline = Date.now() + maxMs;
  const done = (async () => {
    while (!stopped && Date.now() < deadline) {
      try {
        const res = await get(port, '/version');
        if (res.status === 200) {
          result.ok++;
          result.versions.add(res.body.trim());
        } else {
          result.failed++;
          result.errors.push(`HTTP ${res.status}`);
        }
      } catch (err) {
        result.failed++;
        result.errors.push((err as Error).message);
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await done;
      return result;
    },
  };
}

/** Polls until `fn` returns true (bounded). */
export async function eventually(fn: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await fn().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function countLabelled(
  docker: Dockerode,
  project: string,
): Promise<{ containers: number; networks: number; services: number }> {
  const filters = { label: [`io.slipway.deploy.project=${project}`] };
  const containers = (await docker.listContainers({ all: true, filters })).length;
  const networks = (await docker.listNetworks({ filters })).length;
  const services = await docker
    .listServices({ filters })
    .then((s) => s.length)
    .catch(() => 0);
  return { containers, networks, services };
}
