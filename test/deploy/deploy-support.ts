/**
 * Shared by the deploy target tests and the benchmark: specs, a free loopback port, one GET,
 * a bounded request loop that counts failed requests during a rollout, and the checks every
 * target's rollout test makes.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import type Dockerode from 'dockerode';
import type { DeployLog, DeploySpec, DeployTarget, EnvironmentRef } from '../../src/deploy/deploy-target.js';
import { ensureHttpServiceImage, type HttpServiceImage } from '../support/http-service-image.js';

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

export { freePort } from '../support/free-port.js';

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

/** The three versions every target test rolls through; v3's health check always fails. */
export async function ensureServiceImages(
  docker: Dockerode,
): Promise<Record<'v1' | 'v2' | 'v3', HttpServiceImage>> {
  return {
    v1: await ensureHttpServiceImage(docker, 'v1'),
    v2: await ensureHttpServiceImage(docker, 'v2'),
    v3: await ensureHttpServiceImage(docker, 'v3-broken'),
  };
}

/** Deploys `spec` while requests run against its port; asserts it succeeded and none failed. */
export async function deployUnderLoad(target: DeployTarget, spec: DeploySpec, log: DeployLog): Promise<void> {
  const loop = requestLoop(spec.ports[0]?.published ?? 0, 20);
  const outcome = await target.deploy(spec, log, new AbortController().signal);
  const during = await loop.stop();
  assert.equal(outcome.result, 'succeeded', JSON.stringify(outcome));
  assert.equal(
    during.failed,
    0,
    `failed requests during the rollout: ${during.errors.slice(0, 5).join(', ')}`,
  );
  assert.ok(during.ok > 10, `only ${during.ok} requests ran during the rollout`);
}

/**
 * Asserts the environment runs one healthy replica of `spec`, then scales it to 2 (runs
 * `atTwoReplicas` there) and back to 1.
 */
export async function assertServesThenScales(
  target: DeployTarget,
  spec: DeploySpec,
  log: DeployLog,
  atTwoReplicas: () => Promise<void> = async () => {},
): Promise<void> {
  const ref: EnvironmentRef = spec;
  const never = new AbortController().signal;
  const status = await target.status(ref);
  assert.equal(status.running, true);
  assert.equal(status.image, spec.image);
  assert.equal(status.releaseId, spec.releaseId);
  assert.deepEqual(status.replicas, { desired: 1, running: 1, healthy: 1 });
  // What agents report as observed health: the environment is listed with the same status.
  const listed = (await target.list()).find(
    (e) => e.project === ref.project && e.app === ref.app && e.env === ref.env,
  );
  assert.ok(listed, 'the environment is listed');
  assert.deepEqual(listed.replicas, status.replicas);
  assert.equal(listed.releaseId, spec.releaseId);

  assert.equal((await target.scale(ref, 2, log, never)).result, 'succeeded');
  assert.deepEqual((await target.status(ref)).replicas, { desired: 2, running: 2, healthy: 2 });
  await atTwoReplicas();
  assert.equal((await target.scale(ref, 1, log, never)).result, 'succeeded');
  assert.equal((await target.status(ref)).replicas.desired, 1);
}
