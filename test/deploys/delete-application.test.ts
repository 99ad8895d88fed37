/**
 * Deleting an application stops what it runs on the engine (real server, in-process agent on the
 * real Docker engine, observed-health reports with the server's answer): deploy, delete the
 * application through the API, and the agent removes the containers on its next report. An
 * application created again under the same names is not removed.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Dockerode from 'dockerode';
import { DockerTarget } from '../../src/deploy/docker-target.js';
import { recordEnvironmentReport } from '../../src/server/deploys/environment-observations.js';
import { observationDeps } from '../../src/server/http/routes/agent-routes.js';
import { createAgent } from '../../src/server/queue/agent-registry.js';
import { LocalTransport } from '../../src/server/queue/local-transport.js';
import { freePort, get } from '../deploy/deploy-support.js';
import { ensureHttpServiceImage } from '../support/http-service-image.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { until } from '../support/wait.js';
import { createWebApplication, startDeployAgent } from './deploy-fixture.js';

const docker = new Dockerode();
const project = `del${Date.now().toString(36)}`;
const names = { project, app: 'web', env: 'staging' };
let t: TestServer;
let stopAgent: () => Promise<void>;
const agentLog: string[] = [];
/** Releases and container removal on Docker take a while; a failed wait shows the agent's log. */
const POLL = { timeoutMs: 60_000, intervalMs: 100, detail: () => `agent log:\n${agentLog.join('\n')}` };
/** Environment reports the server answered (each one could have asked for a removal). */
let reports = 0;

before(async () => {
  t = await startTestServer();
  const { agent } = await createAgent(t.server.ctx.db, {
    name: 'deployer',
    embedded: false,
    now: Date.now(),
  });
  const ctx = t.server.ctx;
  stopAgent = startDeployAgent(docker, {
    transport: new LocalTransport(ctx.queue, agent.id, async (id, report) => {
      const answer = await recordEnvironmentReport(observationDeps(ctx), id, report);
      reports += 1;
      return answer;
    }),
    log: (m) => agentLog.push(m),
    observeEnvironmentsMs: 200,
    observationKeepAliveMs: 1_000,
  });
});

after(async () => {
  await stopAgent?.();
  await new DockerTarget({ docker }).remove(names).catch(() => {});
  await t?.close();
});

async function containersOf(): Promise<number> {
  const list = await docker.listContainers({
    all: true,
    filters: { label: [`io.slipway.deploy.app=${names.app}`, `io.slipway.deploy.env=${names.env}`] },
  });
  return list.filter((c) => c.Labels['io.slipway.deploy.project'] === project).length;
}

async function deployV1(port: number): Promise<void> {
  const v1 = await ensureHttpServiceImage(docker, 'v1');
  const base = `/api/projects/${project}/applications/${names.app}/environments/${names.env}`;
  const res = await t.api(`${base}/deploy`, { method: 'POST', body: JSON.stringify({ image: v1.tag }) });
  assert.equal(res.status, 201, await res.clone().text());
  const { number } = (await res.json()) as { number: number };
  await until(
    `release #${number} succeeding`,
    async () => {
      const list = await t.api(
        `/api/projects/${project}/applications/${names.app}/releases?env=${names.env}`,
      );
      const { releases } = (await list.json()) as { releases: { number: number; status: string }[] };
      return releases.find((r) => r.number === number)?.status === 'succeeded';
    },
    POLL,
  );
  assert.equal((await get(port, '/version')).body.trim(), 'v1');
}

test('deleting an application stops and removes its containers; a new one of the same names stays', async () => {
  const port = await freePort();
  await createWebApplication(t, names, port);
  await deployV1(port);
  assert.ok((await containersOf()) > 0, 'the release runs');

  const del = await t.api(`/api/projects/${project}/applications/${names.app}`, { method: 'DELETE' });
  assert.equal(del.status, 204, await del.clone().text());
  await until('the containers being removed', async () => (await containersOf()) === 0, POLL);
  await until(
    'the agent saying so',
    async () => agentLog.some((l) => l.includes(`removed ${project}/web/staging`)),
    POLL,
  );

  // Same names again: the removal mark is cleared, so the new deployment is left alone.
  const appRes = await t.api(`/api/projects/${project}/applications`, {
    method: 'POST',
    body: JSON.stringify({
      name: names.app,
      environments: [
        { name: names.env, target: 'docker', config: { ports: [{ published: port, target: 8080 }] } },
      ],
    }),
  });
  assert.equal(appRes.status, 201, await appRes.clone().text());
  await deployV1(port);
  // Three more reports of what runs (keep-alive every second) are answered: none removes it.
  const seen = reports;
  await until('three more environment reports', async () => reports >= seen + 3, POLL);
  assert.ok((await containersOf()) > 0, 'the new application keeps running');
});
