/**
 * The `waiting` reason of a queued run (no agent offers its `runs_on` labels) reaches browsers
 * following the project live over SSE, not only the REST answer: a real server, a run created
 * through the run service, read from `GET /api/projects/:p/events`.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { RunSummary } from '../../src/server/runs/run-json.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { configSources, insertProject, push, readSse, useSources } from './fixtures.js';

const GPU_PIPELINE = `version: 1
image: busybox
runs_on: { pool: gpu }
stages:
  - name: build
    jobs:
      compile: { script: [make] }
`;

let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(async () => {
  await t.close();
});

test('a run no agent can take is published on SSE with its waiting reason; a plain run without', async () => {
  const runs = useSources(t, configSources(GPU_PIPELINE));
  const project = await insertProject(t);
  const res = await t.api(`/api/projects/${project.name}/events`);
  assert.equal(res.status, 200);
  const reading = readSse(res, (events) => events.some((e) => e.event === 'run'));
  const run = await runs.createRun({ project, event: push(), trigger: 'push', actor: 'alice' });
  const events = await reading;
  const published = JSON.parse(events.find((e) => e.event === 'run')?.data ?? '{}') as {
    runId: string;
    data: RunSummary;
  };
  assert.equal(published.runId, run.id);
  assert.equal(published.data.status, 'queued');
  assert.deepEqual(published.data.waiting, {
    code: 'no_matching_agent',
    labels: ['pool=gpu'],
    message: 'waiting for an agent with labels pool=gpu',
  });

  const plain = useSources(t, configSources(GPU_PIPELINE.replace('runs_on: { pool: gpu }\n', '')));
  const res2 = await t.api(`/api/projects/${project.name}/events`);
  const reading2 = readSse(res2, (events) => events.some((e) => e.event === 'run'));
  const other = await plain.createRun({ project, event: push(), trigger: 'push', actor: 'alice' });
  const second = JSON.parse((await reading2).find((e) => e.event === 'run')?.data ?? '{}') as {
    runId: string;
    data: RunSummary;
  };
  assert.equal(second.runId, other.id);
  assert.equal(second.data.status, 'queued');
  assert.equal(second.data.waiting, undefined);
});
