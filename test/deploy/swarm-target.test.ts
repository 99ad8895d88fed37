/**
 * The Swarm target against a real single-node Swarm: rolling updates under load, automatic
 * rollback of a version whose health check fails, scale, status, remove. Loopback only.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Dockerode from 'dockerode';
import { SwarmTarget } from '../../src/deploy/swarm-target.js';
import type { HttpServiceImage } from '../support/http-service-image.js';
import {
  assertServesThenScales,
  countLabelled,
  deployUnderLoad,
  ensureServiceImages,
  eventually,
  freePort,
  get,
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
  images = await ensureServiceImages(docker);
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

    const v2 = specFor(ref, images.v2.tag, port);
    await deployUnderLoad(target, v2, log);
    assert.equal((await get(port, '/version')).body, 'v2');

    const third = await target.deploy(specFor(ref, images.v3.tag, port), log, never);
    assert.equal(third.result, 'rolled_back', JSON.stringify(third));
    assert.match((third as { reason: string }).reason, /unhealthy|404|health/i);
    await eventually(
      async () => (await get(port, '/version')).body === 'v2',
      20_000,
      'v2 to answer after the rollback',
    );

    await assertServesThenScales(target, v2, log);

    // Rollback to v1 = deploy v1 again.
    assert.equal((await target.deploy(specFor(ref, images.v1.tag, port), log, never)).result, 'succeeded');
    assert.equal((await get(port, '/version')).body, 'v1');

    await target.remove(ref);
    assert.deepEqual(await countLabelled(docker, ref.project), { containers: 0, networks: 0, services: 0 });
    assert.equal((await target.status(ref)).running, false);
  });
});
