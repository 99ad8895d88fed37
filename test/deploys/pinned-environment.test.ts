/**
 * An environment pinned to agent labels (`runsOn`) through the real API: a release to it is
 * leased only by an agent with the labels, while it waits the run says for which labels, and a
 * pin that is not label material is a 400 naming the field.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createAgent, declareLabels } from '../../src/server/queue/agent-registry.js';
import { startTestServer, type TestServer } from '../support/server.js';

let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(async () => {
  await t.close();
});

const post = (path: string, body: unknown) =>
  t.api(path, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });

async function agentWith(name: string, labels: Record<string, string>): Promise<string> {
  const { agent } = await createAgent(t.server.ctx.db, { name, embedded: false, now: Date.now() });
  await declareLabels(t.server.ctx.db, agent.id, labels);
  return agent.id;
}

test('a release to a pinned environment waits for, and goes only to, an agent with its labels', async () => {
  assert.equal((await post('/api/projects', { name: 'shop', source: { kind: 'builtin' } })).status, 201);
  const bad = await post('/api/projects/shop/applications', {
    name: 'web',
    environments: [{ name: 'production', config: { runsOn: { pool: 'a b' } } }],
  });
  assert.equal(bad.status, 400);
  assert.match(await bad.text(), /body\.environments\.0\.config\.runsOn\.pool/);

  const created = await post('/api/projects/shop/applications', {
    name: 'web',
    environments: [{ name: 'production', config: { runsOn: { pool: 'production' } } }],
  });
  assert.equal(created.status, 201, await created.clone().text());
  const ordinary = await agentWith('ordinary', { pool: 'build' });
  const production = await agentWith('production', { pool: 'production' });
  // The ordinary agent is connected; no production agent has called yet.
  await t.server.ctx.queue.lease(ordinary, 0);

  const deploy = await post('/api/projects/shop/applications/web/environments/production/deploy', {
    image: 'nginx:1',
  });
  assert.equal(deploy.status, 201, await deploy.clone().text());
  const run = await t.server.ctx.db
    .selectFrom('runs')
    .select(['id', 'number'])
    .where('trigger', '=', 'deploy')
    .executeTakeFirstOrThrow();
  assert.equal(await t.server.ctx.queue.lease(ordinary, 0), null, 'the ordinary agent may not deploy there');
  const detail = (await (await t.api(`/api/projects/shop/runs/${run.number}`)).json()) as {
    waiting?: { message: string };
  };
  assert.equal(detail.waiting?.message, 'waiting for an agent with labels pool=production');

  const lease = await t.server.ctx.queue.lease(production, 0);
  assert.equal(lease?.runId, run.id);
  const deployment = Object.values(lease?.deployments ?? {})[0];
  assert.ok(deployment && !('refused' in deployment), JSON.stringify(deployment));
});
