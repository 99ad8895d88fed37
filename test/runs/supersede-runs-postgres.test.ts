/**
 * Auto-cancel of superseded runs on PostgreSQL (SLIPWAY_DATABASE_URL): migration 014's columns,
 * the search for older runs and the cancel's locked read behave as on SQLite
 * (supersede-runs.test.ts has the full set of rules).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DbRunService } from '../../src/server/runs/run-service.js';
import type { ProjectRow } from '../../src/server/store/tables.js';
import { type PostgresCluster, startPostgres } from '../support/postgres.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { claim, configSources, insertProject, push, runningJob, useSources } from './fixtures.js';

const PIPELINE = `version: 1
image: busybox
stages:
  - name: build
    jobs:
      compile: { script: [make], interruptible: true }
      lint: { script: [make lint] }
`;

const running = (name: string) => runningJob(name, 'build');

describe('auto-cancel of superseded runs on PostgreSQL', () => {
  let cluster: PostgresCluster;
  let t: TestServer;
  let runs: DbRunService;
  let project: ProjectRow;
  before(async () => {
    cluster = await startPostgres();
    t = await startTestServer({ SLIPWAY_DATABASE_URL: await cluster.createDatabase('supersede') });
    runs = useSources(t, configSources(PIPELINE));
    project = await insertProject(t);
    const res = await t.api(`/api/projects/${project.name}`, {
      method: 'PATCH',
      body: JSON.stringify({ autoCancelSuperseded: true }),
    });
    assert.equal(res.status, 200);
  });
  after(async () => {
    await t?.close();
    await cluster?.stop();
  });

  const start = () => runs.createRun({ project, event: push(), trigger: 'push', actor: 'alice' });
  const row = (id: string) =>
    t.server.ctx.db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const cancelRequested = async (id: string) =>
    (await t.server.ctx.db.selectFrom('queue').select('cancel_requested').where('run_id', '=', id).execute())
      .map((q) => q.cancel_requested)
      .join();

  test('queued runs are superseded; running ones only while their started jobs are interruptible', async () => {
    const queued = await start();
    const interruptible = await start();
    assert.equal((await row(queued.id)).status, 'canceled');
    assert.deepEqual(JSON.parse((await row(queued.id)).cancel_reason ?? 'null'), {
      code: 'superseded',
      by: interruptible.number,
    });
    await claim(t, interruptible.id);
    await t.server.ctx.runState.jobUpdate(interruptible.id, running('compile'));

    const blocking = await start();
    assert.equal(await cancelRequested(interruptible.id), '1');
    await claim(t, blocking.id);
    await t.server.ctx.runState.jobUpdate(blocking.id, running('lint'));

    await start();
    assert.equal(await cancelRequested(blocking.id), '0');
    assert.equal((await row(blocking.id)).cancel_reason, null);
  });
});
