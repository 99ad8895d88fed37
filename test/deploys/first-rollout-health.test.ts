/**
 * What an environment's health says while its first release rolls out: the agent already sees
 * the new container (healthy before the proxy switches to it), but nothing is served yet, so the
 * applications API says `deploying` (from the release) until the release has served; from then
 * on, and while a later release rolls out beside it, health is what the agent observes.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createAgent } from '../../src/server/queue/agent-registry.js';
import { freePort } from '../deploy/deploy-support.js';
import { releaseRow } from '../support/rows.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { createWebApplication, reportEnvironment } from './deploy-fixture.js';

const project = `first${Date.now().toString(36)}`;
const app = 'web';
const env = 'staging';
let t: TestServer;
let agentToken: string;

before(async () => {
  t = await startTestServer();
  agentToken = (await createAgent(t.server.ctx.db, { name: 'reporter', embedded: false, now: Date.now() }))
    .token;
});
after(() => t?.close());

/** The agent's report of the environment: one container, healthy, of release `releaseId`. */
async function report(releaseId: string): Promise<void> {
  const res = await reportEnvironment(t.url, agentToken, { project, app, env }, { healthy: 1, releaseId });
  assert.equal(res.status, 200, await res.text());
}

async function health(): Promise<{ health: string; healthSource: string }> {
  const res = await t.api(`/api/projects/${project}/applications/${app}`);
  assert.equal(res.status, 200);
  const json = (await res.json()) as { environments: { health: string; healthSource: string }[] };
  const { health: h, healthSource } = json.environments[0] as { health: string; healthSource: string };
  return { health: h, healthSource };
}

test('a first release shows deploying until it serves, though its container is already healthy', async () => {
  // The environment's config is never deployed here: any free port will do.
  await createWebApplication(t, { project, app, env }, await freePort());
  const db = t.server.ctx.db;
  const ids = await db
    .selectFrom('environments')
    .innerJoin('applications', 'applications.id', 'environments.application_id')
    .select(['environments.id as environmentId', 'applications.id as applicationId'])
    .where('environments.name', '=', env)
    .where('applications.name', '=', app)
    .executeTakeFirstOrThrow();
  const at = Date.now();
  const first = releaseRow(
    {
      application_id: ids.applicationId,
      environment_id: ids.environmentId,
      number: 1,
      status: 'running',
      finished_at: null,
    },
    at,
  );
  await db.insertInto('releases').values(first).execute();

  await report(first.id);
  assert.deepEqual(await health(), { health: 'deploying', healthSource: 'release' });

  // The switch is done: the release has served, and health is what the agent sees.
  await db
    .updateTable('releases')
    .set({ status: 'succeeded', finished_at: at + 1 })
    .where('id', '=', first.id)
    .execute();
  assert.deepEqual(await health(), { health: 'healthy', healthSource: 'observed' });

  // A second release rolling out beside the first: users still get release 1, as observed.
  const second = releaseRow(
    {
      application_id: ids.applicationId,
      environment_id: ids.environmentId,
      number: 2,
      status: 'running',
      finished_at: null,
    },
    at + 2,
  );
  await db.insertInto('releases').values(second).execute();
  await report(first.id);
  assert.deepEqual(await health(), { health: 'healthy', healthSource: 'observed' });
});
