/**
 * The Swarm target against a real single-node Swarm: rolling updates under load, automatic
 * rollback of a version whose health check fails, scale, status, remove. Loopback only.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Dockerode from 'dockerode';
import { SwarmTarget } from '../../src/deploy/swarm-target.js';
import { ensureHttpServiceImage, type HttpServiceImage } from '../support/http-service-image.js';
import {
  countLabelled,
  eventually,
  freePort,
  get,
  requestLoop,
  specFor,
  uniqueRef,
} from './deploy-support.js';
import { ensureSwarm, swarmPublishMode } from './swarm-setup.js';

const docker = new Dockerode();
const lines: string[] = [];
const log = (line: string): void => {
  lines.push(line);
};
const never = new AbortController().signal;
let images: Record<'v1' | 'v2' | 'v3', HttpServiceImage>;
const refs: ReturnType<typeof uniqueRef>[] = [];
let target: SwarmTarget;

before(async () => {
  await ensureSwarm(docker);
  images = {
    v1: await ensureHttpServiceImage(docker, 'v1'),
    v2: await ensureHttpServiceImage(docker, 'v2'),
    v3: await ensureHttpServiceImage(docker, 'v3-broken'),
  };
  target = new SwarmTarget({
    docker,
    publish: swarmPublishMode(),
    listenHost: '127.0.0.1',
    monitorMs: 2_000,
    stopGraceSeconds: 3,
  });
});

after(async () => {
  for (const ref of refs) await target.remove(ref);
  await target.close();
});

describe('SwarmTarget', () => {
  test('deploy v1, v2 under load with no failed request, broken v3 rolled back, scale, remove', async () => {
    const ref = uniqueRef('web');
    refs.push(ref);
    const port = await freePort();

    const first = await target.deploy(specFor(ref, images.v1.tag, port), log, never);
    assert.deepEqual(first, { result: 'succeeded', image: images.v1.tag }, lines.join('\n'));
    await eventually(async () => (await get(port, '/version')).body === 'v1', 20_000, 'v1 to answer');

    const loop = requestLoop(port, 20);
    const v2 = specFor(ref, images.v2.tag, port);
    const second = await target.deploy(v2, log, never);
    const during = await loop.stop();
    assert.equal(second.result, 'succeeded', JSON.stringify(second));
    assert.equal(
      during.failed,
      0,
      `failed requests during the rollout: ${during.errors.slice(0, 5).join(', ')}`,
    );
    assert.ok(during.ok > 10, `only ${during.ok} requests ran during the rollout`);
    assert.equal((await get(port, '/version')).body, 'v2');

    const third = await target.deploy(specFor(ref, images.v3.tag, port), log, never);
    assert.equal(third.result, 'rolled_back', JSON.stringify(third));
    assert.match((third as { reason: string }).reason, /unhealthy|404|health/i);
    await eventually(
      async () => (await get(port, '/version')).body === 'v2',
      20_000,
      'v2 to answer after the rollback',
    );

    const status = await target.status(ref);
    assert.equal(status.running, true);
    assert.equal(status.image, images.v2.tag);
    assert.equal(status.releaseId, v2.releaseId);
    assert.deepEqual(status.replicas, { desired: 1, running: 1, healthy: 1 });

    assert.equal((await target.scale(ref, 2, log, never)).result, 'succeeded');
    assert.deepEqual((await target.status(ref)).replicas, { desired: 2, running: 2, healthy: 2 });
    assert.equal((await target.scale(ref, 1, log, never)).result, 'succeeded');
    assert.equal((await target.status(ref)).replicas.desired, 1);

    // Rollback to v1 = deploy v1 again.
    assert.equal((await target.deploy(specFor(ref, images.v1.tag, port), log, never)).result, 'succeeded');
    assert.equal((await get(port, '/version')).body, 'v1');

    await target.remove(ref);
    assert.deepEqual(await countLabelled(docker, ref.project), { containers: 0, networks: 0, services: 0 });
    assert.equal((await target.status(ref)).running, false);
  });
});
