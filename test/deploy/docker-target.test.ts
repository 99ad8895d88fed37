/**
 * The local Docker target against the real engine: containers behind the target's port proxy,
 * health-gated switch, automatic rollback, scale, status, restore, remove. Loopback only.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import Dockerode from 'dockerode';
import { DockerTarget } from '../../src/deploy/docker-target.js';
import type { HttpServiceImage } from '../support/http-service-image.js';
import {
  assertServesThenScales,
  countLabelled,
  deployUnderLoad,
  ensureServiceImages,
  freePort,
  get,
  requestLoop,
  specFor,
  uniqueRef,
} from './deploy-support.js';

const docker = new Dockerode();
const lines: string[] = [];
const log = (line: string): void => {
  lines.push(line);
};
const never = new AbortController().signal;
let images: Record<'v1' | 'v2' | 'v3', HttpServiceImage>;
const targets: DockerTarget[] = [];
const refs: ReturnType<typeof uniqueRef>[] = [];

function newTarget(): DockerTarget {
  const t = new DockerTarget({
    docker,
    listenHost: '127.0.0.1',
    settleMs: 1_000,
    drainTimeoutMs: 3_000,
    stopGraceSeconds: 3,
  });
  targets.push(t);
  return t;
}

before(async () => {
  images = await ensureServiceImages(docker);
});

after(async () => {
  const cleaner = newTarget();
  for (const ref of refs) await cleaner.remove(ref);
  for (const t of targets) await t.close();
});

describe('DockerTarget', () => {
  test('deploy v1, v2 under load with no failed request, broken v3 rolled back, scale, restore, remove', async () => {
    const target = newTarget();
    const ref = uniqueRef('web');
    refs.push(ref);
    const port = await freePort();

    const first = await target.deploy(specFor(ref, images.v1.tag, port), log, never);
    assert.deepEqual(first, { result: 'succeeded', image: images.v1.tag });
    assert.equal((await get(port, '/version')).body, 'v1');

    const v2 = specFor(ref, images.v2.tag, port);
    await deployUnderLoad(target, v2, log);
    assert.equal((await get(port, '/version')).body, 'v2');

    const loop3 = requestLoop(port, 20);
    const third = await target.deploy(specFor(ref, images.v3.tag, port), log, never);
    const during3 = await loop3.stop();
    assert.equal(third.result, 'rolled_back');
    assert.match((third as { reason: string }).reason, /unhealthy|did not become healthy/);
    assert.match((third as { reason: string }).reason, /404|wget/);
    // The same words as a code the UI translates, the health check's output as `detail`.
    const why = third as { code?: string; params?: Record<string, unknown> };
    assert.ok(why.code === 'container_unhealthy' || why.code === 'not_healthy_in_time', why.code);
    assert.match(String(why.params?.detail), /404|wget/);
    assert.equal(during3.failed, 0);
    assert.deepEqual([...during3.versions], ['v2']);
    assert.equal((await get(port, '/version')).body, 'v2');

    await assertServesThenScales(target, v2, log, async () => {
      assert.equal((await get(port, '/version')).body, 'v2');
      assert.equal((await get(port, '/version')).body, 'v2');
    });

    // An agent restart: a new target instance takes the environment over from labels.
    await target.close();
    await assert.rejects(get(port, '/version', 500));
    const restarted = newTarget();
    await restarted.restore(log);
    assert.equal((await get(port, '/version')).body, 'v2');

    // Rollback to v1 = deploy v1 again.
    assert.equal((await restarted.deploy(specFor(ref, images.v1.tag, port), log, never)).result, 'succeeded');
    assert.equal((await get(port, '/version')).body, 'v1');

    await restarted.remove(ref);
    assert.deepEqual(await countLabelled(docker, ref.project), { containers: 0, networks: 0, services: 0 });
    assert.equal((await restarted.status(ref)).running, false);
    await assert.rejects(get(port, '/version', 500));
  });

  test('a host port used by something else fails the deploy with a clear reason', async () => {
    const target = newTarget();
    const ref = uniqueRef('busy');
    refs.push(ref);
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const outcome = await target.deploy(specFor(ref, images.v1.tag, port), log, never);
      assert.deepEqual(outcome, {
        result: 'failed',
        reason: `host port ${port} is already in use by another process`,
        code: 'port_in_use',
        params: { port },
      });
    } finally {
      blocker.close();
    }
  });

  test('a first deploy that never becomes healthy fails and leaves nothing running', async () => {
    const target = newTarget();
    const ref = uniqueRef('bad');
    refs.push(ref);
    const port = await freePort();
    const outcome = await target.deploy(specFor(ref, images.v3.tag, port), log, never);
    assert.equal(outcome.result, 'failed');
    assert.equal((await countLabelled(docker, ref.project)).containers, 0);
  });

  test('stop-first replaces the containers (with downtime) and ends on the new version', async () => {
    const target = newTarget();
    const ref = uniqueRef('sf');
    refs.push(ref);
    const port = await freePort();
    const update = {
      order: 'stop-first' as const,
      parallelism: 1,
      failureAction: 'rollback' as const,
      delayMs: 0,
    };
    assert.equal(
      (await target.deploy(specFor(ref, images.v1.tag, port, { update }), log, never)).result,
      'succeeded',
    );
    assert.equal(
      (await target.deploy(specFor(ref, images.v2.tag, port, { update }), log, never)).result,
      'succeeded',
    );
    assert.equal((await get(port, '/version')).body, 'v2');
    assert.equal((await countLabelled(docker, ref.project)).containers, 1);
  });
});
