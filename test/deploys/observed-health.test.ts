/**
 * Observed health on the real engine: a test server and a standalone agent speaking the HTTP
 * protocol (so the report goes through POST /api/agent/environments with the agent's token)
 * deploy an application; the applications API then shows what the agent observes — healthy
 * 1/1, `down` once the container is stopped behind Slipway's back, `unknown` once the agent
 * stops reporting for longer than the (shortened) staleness window.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Dockerode from 'dockerode';
import { DockerTarget } from '../../src/deploy/docker-target.js';
import { environmentFilter } from '../../src/deploy/labels.js';
import type { ProjectEvent } from '../../src/server/services.js';
import { freePort } from '../deploy/deploy-support.js';
import { ensureHttpServiceImage } from '../support/http-service-image.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { until } from '../support/wait.js';
import { createWebApplication, startRegisteredDeployAgent } from './deploy-fixture.js';

const docker = new Dockerode();
const project = `obs${Date.now().toString(36)}`;
const app = 'web';
const env = 'staging';
let t: TestServer;
let stopAgent: () => Promise<void>;
const agentLog: string[] = [];

before(async () => {
  t = await startTestServer({ SLIPWAY_OBSERVATION_STALE: '3s' });
  stopAgent = await startRegisteredDeployAgent(t, docker, 'observer', {
    over: 'http',
    log: (m) => agentLog.push(m),
    observeEnvironmentsMs: 200,
    // Below the 3 s staleness window, so an unchanged environment stays observed.
    observationKeepAliveMs: 1_000,
  });
});

after(async () => {
  await stopAgent?.();
  await new DockerTarget({ docker }).remove({ project, app, env }).catch(() => {});
  await t?.close();
});

interface EnvJson {
  health: string;
  healthSource: string;
  observed: {
    at: number;
    running: number;
    healthy: number;
    desired: number;
    releaseId: string | null;
  } | null;
}

async function environment(): Promise<EnvJson> {
  const res = await t.api(`/api/projects/${project}/applications/${app}`);
  assert.equal(res.status, 200);
  const json = (await res.json()) as { environments: EnvJson[] };
  return json.environments[0] as EnvJson;
}

/** The environment once `ok` holds (bounded); a timeout shows the last one seen and the agent's log. */
async function environmentWhen(
  ok: (e: EnvJson) => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<EnvJson> {
  let last: EnvJson | undefined;
  return until(
    what,
    async () => {
      last = await environment();
      return ok(last) && last;
    },
    {
      timeoutMs,
      intervalMs: 100,
      detail: () => `still ${JSON.stringify(last)}\nagent log:\n${agentLog.join('\n')}`,
    },
  );
}

test('health follows what runs: healthy 1/1, down when the container stops, unknown when the agent stops', async () => {
  const v1 = await ensureHttpServiceImage(docker, 'v1');
  const port = await freePort();
  await createWebApplication(t, { project, app, env }, port);
  const projectRow = await t.server.ctx.db
    .selectFrom('projects')
    .select('id')
    .where('name', '=', project)
    .executeTakeFirstOrThrow();
  const events: ProjectEvent[] = [];
  const unsubscribe = t.server.ctx.events.subscribe(projectRow.id, (e) => {
    if (e.type === 'environment') events.push(e);
  });
  const before = await environment();
  assert.equal(before.observed, null, 'nothing observed before anything runs');
  assert.equal(before.healthSource, 'release');
  assert.equal(before.health, 'not_deployed');

  const deployed = await t.api(`/api/projects/${project}/applications/${app}/environments/${env}/deploy`, {
    method: 'POST',
    body: JSON.stringify({ image: v1.tag }),
  });
  const text = await deployed.text();
  assert.equal(deployed.status, 201, text);
  const release = JSON.parse(text) as { id: string };

  const healthy = await environmentWhen(
    (e) => e.healthSource === 'observed' && e.health === 'healthy' && e.observed?.releaseId === release.id,
    'observed healthy',
    120_000,
  );
  assert.deepEqual(
    {
      running: healthy.observed?.running,
      healthy: healthy.observed?.healthy,
      desired: healthy.observed?.desired,
    },
    { running: 1, healthy: 1, desired: 1 },
  );

  // Behind Slipway's back: `stop` (unlike `kill`) keeps the unless-stopped policy from restarting it.
  // Listed until it shows (bounded): on a loaded machine the engine's list can lag the report.
  let containers: Awaited<ReturnType<typeof docker.listContainers>> = [];
  for (let tries = 0; tries < 50 && containers.length !== 1; tries++) {
    if (tries > 0) await new Promise((r) => setTimeout(r, 200));
    containers = await docker.listContainers({ filters: environmentFilter({ project, app, env }) });
  }
  assert.equal(containers.length, 1, JSON.stringify(containers.map((c) => [c.Names, c.State, c.Status])));
  await docker.getContainer(containers[0]?.Id as string).stop({ t: 1 });
  const down = await environmentWhen((e) => e.health === 'down', 'observed down');
  assert.equal(down.observed?.running, 0);
  assert.equal(down.observed?.desired, 1);
  assert.ok(
    events.some((e) => (e.data as { health: string }).health === 'down'),
    'an environment event announced the change',
  );

  await stopAgent();
  await environmentWhen((e) => e.health === 'unknown', 'unknown after the agent stopped', 20_000);
  unsubscribe();
});
