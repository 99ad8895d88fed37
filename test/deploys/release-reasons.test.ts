/**
 * Release reasons reach the release JSON as codes with parameters (issue #14), from a real agent
 * deploying on the real engine: a version that never becomes healthy is rolled back and says
 * which container and what its health check printed; an image that cannot be pulled and a host
 * port held by another process fail with their own codes. The English `reason` stays alongside.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, test } from 'node:test';
import Dockerode from 'dockerode';
import { DockerTarget } from '../../src/deploy/docker-target.js';
import { freePort, get } from '../deploy/deploy-support.js';
import { ensureHttpServiceImage, HTTP_SERVICE_PORT } from '../support/http-service-image.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { createWebApplication, releaseEnded, startRegisteredDeployAgent } from './deploy-fixture.js';

const docker = new Dockerode();
const project = `rsn${Date.now().toString(36)}`;
const app = 'web';
const env = 'staging';
let t: TestServer;
let stopAgent: () => Promise<void>;
const agentLog: string[] = [];

interface Release {
  number: number;
  status: string;
  reason: string | null;
  reasonCode?: string;
  reasonParams?: Record<string, string | number>;
  releaseRun: number;
}

before(async () => {
  // The unpullable image lives on a closed port of 127.0.0.1, which must be allowlisted to be tried.
  t = await startTestServer({ SLIPWAY_OUTBOUND_ALLOWLIST: '127.0.0.1' });
  stopAgent = await startRegisteredDeployAgent(t, docker, 'reasons', { log: (m) => agentLog.push(m) });
});

after(async () => {
  await stopAgent?.();
  const target = new DockerTarget({ docker });
  for (const a of [app, 'blocked']) await target.remove({ project, app: a, env }).catch(() => {});
  await t?.close();
});

const ended = (appName: string, number: number) =>
  releaseEnded<Release>(t, { project, app: appName, env }, number, { timeoutMs: 180_000, agentLog });

async function deploy(appName: string, image: string): Promise<Release> {
  const res = await t.api(`/api/projects/${project}/applications/${appName}/environments/${env}/deploy`, {
    method: 'POST',
    body: JSON.stringify({ image }),
  });
  const text = await res.text();
  assert.equal(res.status, 201, text);
  return ended(appName, (JSON.parse(text) as Release).number);
}

test('a never-healthy version rolled back, an unpullable image and a taken port each carry code + params', async () => {
  const v1 = await ensureHttpServiceImage(docker, 'v1');
  const broken = await ensureHttpServiceImage(docker, 'v3-broken');
  const port = await freePort();
  await createWebApplication(t, { project, app, env }, port);

  const first = await deploy(app, v1.tag);
  assert.equal(first.status, 'succeeded', first.reason ?? '');
  assert.equal(first.reasonCode, undefined);
  // Its run says which release it executes, for a title in the reader's language.
  const run = (await (await t.api(`/api/projects/${project}/runs/${first.releaseRun}`)).json()) as {
    release?: unknown;
  };
  assert.deepEqual(run.release, { number: first.number, app, env });

  // v3's health check always fails: the previous version keeps serving.
  const bad = await deploy(app, broken.tag);
  assert.equal(bad.status, 'rolled_back', JSON.stringify(bad));
  assert.ok(
    bad.reasonCode === 'container_unhealthy' || bad.reasonCode === 'not_healthy_in_time',
    JSON.stringify(bad),
  );
  const params = bad.reasonParams ?? {};
  assert.match(String(params.container), new RegExp(`${project}-${app}-${env}`), JSON.stringify(bad));
  assert.match(String(params.detail), /404|wget/, 'the health check output travels as detail');
  assert.match(bad.reason ?? '', /unhealthy|did not become healthy/, 'the English reason stays');
  assert.equal((await get(port, '/version')).body.trim(), 'v1');

  // Nothing answers on this registry port: the engine's error is the detail, the image a param.
  const missing = `127.0.0.1:${await freePort()}/nope/web:1`;
  const pull = await deploy(app, missing);
  assert.equal(pull.status, 'failed', JSON.stringify(pull));
  assert.equal(pull.reasonCode, 'image_pull_failed', JSON.stringify(pull));
  assert.equal(pull.reasonParams?.image, missing);
  assert.equal(typeof pull.reasonParams?.detail, 'string');
  assert.match(pull.reason ?? '', /could not be pulled/);

  // Another application's environment on a host port another process holds.
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  const taken = (blocker.address() as { port: number }).port;
  try {
    const created = await t.api(`/api/projects/${project}/applications`, {
      method: 'POST',
      body: JSON.stringify({
        name: 'blocked',
        environments: [
          {
            name: env,
            target: 'docker',
            config: { ports: [{ published: taken, target: HTTP_SERVICE_PORT }] },
          },
        ],
      }),
    });
    assert.equal(created.status, 201, await created.text());
    const busy = await deploy('blocked', v1.tag);
    assert.equal(busy.status, 'failed', JSON.stringify(busy));
    assert.equal(busy.reasonCode, 'port_in_use');
    assert.deepEqual(busy.reasonParams, { port: taken });
    assert.equal(busy.reason, `host port ${taken} is already in use by another process`);
  } finally {
    blocker.close();
  }
});
