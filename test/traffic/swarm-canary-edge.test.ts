/**
 * The edge refuses a canary on the swarm target when the agents publish Swarm ports through
 * the routing mesh (SLIPWAY_SWARM_PUBLISH=ingress): a 400 that names the environment's
 * rollout, on create and on configure. Proxy mode and the docker target accept it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/server.js';

const rollout = { strategy: 'canary', steps: [10, 100], bake: '5s', min_requests: 20 };

async function send(t: TestServer, method: string, path: string, body: unknown): Promise<Response> {
  return t.api(path, { method, body: JSON.stringify(body) });
}

describe('a canary on Swarm at the edge', () => {
  let ingress: TestServer;
  let proxy: TestServer;
  before(async () => {
    ingress = await startTestServer({ SLIPWAY_SWARM_PUBLISH: 'ingress' });
    proxy = await startTestServer({ SLIPWAY_SWARM_PUBLISH: 'proxy' });
    for (const t of [ingress, proxy]) {
      const res = await send(t, 'POST', '/api/projects', {
        name: 'shop',
        source: { kind: 'builtin' },
        visibility: 'internal',
      });
      assert.equal(res.status, 201, await res.text());
      const app = await send(t, 'POST', '/api/projects/shop/applications', { name: 'api' });
      assert.equal(app.status, 201, await app.text());
    }
  });
  after(async () => {
    await ingress.close();
    await proxy.close();
  });

  it('ingress mode: 400 naming the rollout, on PUT and on create; nothing is stored', async () => {
    const put = await send(ingress, 'PUT', '/api/projects/shop/applications/api/environments/prod', {
      target: 'swarm',
      config: { rollout },
    });
    assert.equal(put.status, 400);
    const error = ((await put.json()) as { error: Record<string, string> }).error;
    assert.equal(error.where, 'body.config.rollout');
    assert.equal(error.reason, 'canary_needs_swarm_proxy');
    assert.match(error.message ?? '', /SLIPWAY_SWARM_PUBLISH=proxy.*routing mesh/);
    const created = await send(ingress, 'POST', '/api/projects/shop/applications', {
      name: 'web',
      environments: [
        { name: 'dev', target: 'swarm' },
        { name: 'prod', target: 'swarm', config: { rollout } },
      ],
    });
    assert.equal(created.status, 400);
    const e2 = ((await created.json()) as { error: Record<string, string> }).error;
    assert.equal(e2.where, 'body.environments.1.config.rollout');
    const read = await ingress.api('/api/projects/shop/applications/api');
    const envs = ((await read.json()) as { environments: unknown[] }).environments;
    assert.deepEqual(envs, []);
    assert.equal((await ingress.api('/api/projects/shop/applications/web')).status, 404);
    // The same environment without a canary, or on the docker target, is fine.
    const plain = await send(ingress, 'PUT', '/api/projects/shop/applications/api/environments/prod', {
      target: 'swarm',
    });
    assert.equal(plain.status, 201, await plain.text());
    const docker = await send(ingress, 'PUT', '/api/projects/shop/applications/api/environments/qa', {
      target: 'docker',
      config: { rollout },
    });
    assert.equal(docker.status, 201, await docker.text());
  });

  it('proxy mode: the swarm canary is accepted', async () => {
    const put = await send(proxy, 'PUT', '/api/projects/shop/applications/api/environments/prod', {
      target: 'swarm',
      config: { rollout },
    });
    assert.equal(put.status, 201, await put.text());
  });
});
