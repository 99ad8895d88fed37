/**
 * The whole loop with the real engine: a test server, an in-process agent (real queue over the
 * LocalTransport, Docker backend, local DockerTarget) and the small HTTP service image. Deploy v1
 * through the API, answer its version on the published port, deploy v2, roll back to v1 — each
 * one a release run executed by the agent, with the target's log as the job's log.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Dockerode from 'dockerode';
import { readProgress } from '../../src/backends/docker/progress.js';
import { DockerTarget } from '../../src/deploy/docker-target.js';
import { freePort, get } from '../deploy/deploy-support.js';
import { ensureHttpServiceImage, HTTP_SERVICE_PORT } from '../support/http-service-image.js';
import { startRegistry } from '../support/registry.js';
import { createUserWithToken, startTestServer, type TestServer } from '../support/server.js';
import { createWebApplication, releaseEnded, startRegisteredDeployAgent } from './deploy-fixture.js';

const docker = new Dockerode();
const project = `rel${Date.now().toString(36)}`;
const app = 'web';
const env = 'staging';
let t: TestServer;
let stopAgent: () => Promise<void>;
const agentLog: string[] = [];

before(async () => {
  // The promotion test pulls from a registry on 127.0.0.1 (security rule 11: allowlisted).
  t = await startTestServer({ SLIPWAY_OUTBOUND_ALLOWLIST: '127.0.0.1' });
  stopAgent = await startRegisteredDeployAgent(t, docker, 'deployer', { log: (m) => agentLog.push(m) });
});

after(async () => {
  await stopAgent?.();
  const target = new DockerTarget({ docker });
  for (const name of [env, 'production']) await target.remove({ project, app, env: name }).catch(() => {});
  await t?.close();
});

interface Release {
  number: number;
  status: string;
  reason: string | null;
  image: string | null;
  releaseRun: number;
  rollbackOf: number | null;
}

/** Polls the release until it has ended (bounded: the rollout waits for health checks). */
const ended = (number: number, envName = env) =>
  releaseEnded<Release>(t, { project, app, env: envName }, number, { timeoutMs: 120_000, agentLog });

async function post(path: string, body: unknown): Promise<Release> {
  const res = await t.api(path, { method: 'POST', body: JSON.stringify(body) });
  const text = await res.text();
  assert.equal(res.status, 201, text);
  return JSON.parse(text) as Release;
}

test('deploy v1, deploy v2, roll back to v1 — through the API, executed by an agent on the real engine', async () => {
  const v1 = await ensureHttpServiceImage(docker, 'v1');
  const v2 = await ensureHttpServiceImage(docker, 'v2');
  const port = await freePort();
  await createWebApplication(t, { project, app, env }, port, { GREETING: 'hello' });
  const base = `/api/projects/${project}/applications/${app}/environments/${env}`;

  const first = await post(`${base}/deploy`, { image: v1.tag });
  const r1 = await ended(first.number);
  assert.equal(r1.status, 'succeeded', r1.reason ?? '');
  assert.equal((await get(port, '/version')).body.trim(), 'v1');

  // The release run shows the target's log as the deploy job's log.
  const log = await t.api(`/api/projects/${project}/runs/${first.releaseRun}/jobs/deploy/logs/raw`);
  assert.equal(log.status, 200);
  assert.match(await log.text(), /deploying slipway-test\/http-service:v1 to web\/staging/);
  const run = (await (await t.api(`/api/projects/${project}/runs/${first.releaseRun}`)).json()) as {
    trigger: string;
    status: string;
  };
  assert.deepEqual([run.trigger, run.status], ['deploy', 'succeeded']);

  const second = await post(`${base}/deploy`, { image: v2.tag });
  assert.equal((await ended(second.number)).status, 'succeeded');
  assert.equal((await get(port, '/version')).body.trim(), 'v2');

  const rollback = await post(`${base}/rollback`, { release: first.number });
  const r3 = await ended(rollback.number);
  assert.equal(r3.status, 'succeeded', r3.reason ?? '');
  assert.equal(r3.rollbackOf, first.number);
  assert.equal((await get(port, '/version')).body.trim(), 'v1');

  const apps = (await (await t.api(`/api/projects/${project}/applications`)).json()) as {
    applications: { environments: { health: string; running: { number: number } | null }[] }[];
  };
  assert.equal(apps.applications[0]?.environments[0]?.health, 'healthy');
  assert.equal(apps.applications[0]?.environments[0]?.running?.number, rollback.number);
});

test('promote the staging digest to an approval-gated production: it waits until a maintainer approves', async () => {
  const registry = await startRegistry();
  try {
    const v2 = await ensureHttpServiceImage(docker, 'v2');
    const repo = `${registry.host}/slipway-test/http-service`;
    await docker.getImage(v2.tag).tag({ repo, tag: 'v2' });
    // The engine wants an auth header even for an anonymous push.
    const push = docker.getImage(repo).push({
      tag: 'v2',
      authconfig: { serveraddress: registry.host },
    } as unknown as Dockerode.ImagePushOptions) as unknown as Promise<NodeJS.ReadableStream>;
    await readProgress(await push);
    const digest = await registry.manifestDigest('slipway-test/http-service', 'v2');
    assert.ok(digest, 'pushed');
    const prodPort = await freePort();
    const put = await t.api(`/api/projects/${project}/applications/${app}/environments/production`, {
      method: 'PUT',
      body: JSON.stringify({
        requiresApproval: true,
        config: {
          repository: repo,
          ports: [{ published: prodPort, target: HTTP_SERVICE_PORT }],
          healthcheck: { http: { path: '/health', port: HTTP_SERVICE_PORT }, intervalMs: 500, retries: 5 },
        },
      }),
    });
    assert.equal(put.status, 201, await put.text());
    const base = `/api/projects/${project}/applications/${app}/environments`;
    const staged = await post(`${base}/${env}/deploy`, { image: `${repo}@${digest}` });
    assert.equal((await ended(staged.number)).status, 'succeeded');

    const promoted = await post(`${base}/production/promote`, { from: env });
    assert.equal(promoted.status, 'awaiting_approval');
    assert.equal((promoted as Release & { digest: string }).digest, digest);
    const viewer = await createUserWithToken(t.server, `viewer-${Date.now()}`, 'viewer');
    const approvePath = `${base}/production/releases/${promoted.number}/approve`;
    const refused = await t.api(approvePath, {
      method: 'POST',
      headers: { authorization: `Bearer ${viewer}` },
    });
    assert.equal(refused.status, 403);
    // Waiting: no agent took it, nothing answers on production's port.
    const waiting = (await (
      await t.api(`/api/projects/${project}/applications/${app}/releases?env=production`)
    ).json()) as {
      releases: Release[];
    };
    assert.equal(waiting.releases[0]?.status, 'awaiting_approval');
    await assert.rejects(get(prodPort, '/version', 500));

    const approved = await t.api(approvePath, { method: 'POST' });
    assert.equal(approved.status, 202, await approved.text());
    const done = await ended(promoted.number, 'production');
    assert.equal(done.status, 'succeeded', done.reason ?? '');
    assert.equal((await get(prodPort, '/version')).body.trim(), 'v2');
  } finally {
    // Untag only: the image itself is the build cache of http-service:v2.
    await docker
      .listImages()
      .then((images) =>
        images.flatMap((i) => i.RepoTags ?? []).filter((tag) => tag.startsWith(registry.host)),
      )
      .then((tags) =>
        Promise.all(
          tags.map((tag) =>
            docker
              .getImage(tag)
              .remove()
              .catch(() => {}),
          ),
        ),
      );
    await registry.stop();
  }
});
