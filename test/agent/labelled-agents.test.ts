/**
 * Agent labels end to end: two real agents over HTTP, declaring different labels, against one
 * real server. Each gets only the runs whose `runs_on` it matches; a run neither matches stays
 * queued and its JSON says which labels it waits for; the agents list shows what each declared.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { runAgent } from '../../src/agent/agent.js';
import { HttpTransport } from '../../src/agent/http-transport.js';
import { FakeBackend } from '../../src/backends/fake/fake-backend.js';
import { seedProject, seedRun } from '../queue/queue-fixture.js';
import { spyRunState } from '../queue/spy-run-state.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { until } from '../support/wait.js';

let t: TestServer;
before(async () => {
  t = await startTestServer({ SLIPWAY_LEASE_TIMEOUT: '15s' });
});
after(async () => {
  await t.close();
});

const pipelineFor = (pool: string) => `version: 1
image: busybox
runs_on: { pool: ${pool} }
stages:
  - name: build
    jobs:
      compile: { script: [echo compiled] }
`;

async function register(): Promise<{ id: string; token: string }> {
  const res = await t.api('/api/agents', {
    method: 'POST',
    body: JSON.stringify({ name: `l-${randomUUID().slice(0, 8)}` }),
  });
  return (await res.json()) as { id: string; token: string };
}

test('two agents with different labels over HTTP each get only their runs; an unmatched run says why it waits', async () => {
  const calls = spyRunState(t.server.ctx.runState);
  const builder = await register();
  const deployer = await register();
  const stop = new AbortController();
  const start = (token: string, labels: Record<string, string>) =>
    runAgent({
      transport: new HttpTransport({ server: t.url, token, labels }),
      backend: new FakeBackend(),
      capacity: 2,
      signal: stop.signal,
      log: () => {},
      leaseWaitMs: 1000,
    });
  const agents = [start(builder.token, { pool: 'build' }), start(deployer.token, { pool: 'deploy' })];
  try {
    const project = await seedProject(t.server.ctx);
    const builds = [
      await seedRun(t.server.ctx, project, { pipeline: pipelineFor('build') }),
      await seedRun(t.server.ctx, project, { pipeline: pipelineFor('build') }),
    ];
    const deploys = [
      await seedRun(t.server.ctx, project, { pipeline: pipelineFor('deploy') }),
      await seedRun(t.server.ctx, project, { pipeline: pipelineFor('deploy') }),
    ];
    const gpu = await seedRun(t.server.ctx, project, { pipeline: pipelineFor('gpu') });
    const finished = (runId: string) => calls.some((c) => c.method === 'runFinished' && c.runId === runId);
    await until(
      'every matched run to finish',
      () => [...builds, ...deploys].every((r) => finished(r.runId)),
      { timeoutMs: 20_000, intervalMs: 10 },
    );

    const ranBy = async (runId: string) =>
      (
        await t.server.ctx.db
          .selectFrom('queue')
          .select('agent_id')
          .where('run_id', '=', runId)
          .executeTakeFirstOrThrow()
      ).agent_id;
    for (const run of builds) assert.equal(await ranBy(run.runId), builder.id);
    for (const run of deploys) assert.equal(await ranBy(run.runId), deployer.id);

    // The gpu run: nobody took it, and its JSON says why.
    const number = (
      await t.server.ctx.db
        .selectFrom('runs')
        .select('number')
        .where('id', '=', gpu.runId)
        .executeTakeFirstOrThrow()
    ).number;
    const detail = (await (await t.api(`/api/projects/${project.name}/runs/${number}`)).json()) as {
      status: string;
      waiting?: { code: string; labels: string[]; message: string };
    };
    assert.equal(detail.status, 'queued');
    assert.deepEqual(detail.waiting, {
      code: 'no_matching_agent',
      labels: ['pool=gpu'],
      message: 'waiting for an agent with labels pool=gpu',
    });
    const page = (await (await t.api(`/api/projects/${project.name}/runs`)).json()) as {
      runs: { id: string; waiting?: { code: string } }[];
    };
    assert.equal(page.runs.find((r) => r.id === gpu.runId)?.waiting?.code, 'no_matching_agent');
    assert.equal(page.runs.find((r) => r.id === builds[0]!.runId)?.waiting, undefined);

    const listed = (await (await t.api('/api/agents')).json()) as {
      id: string;
      labels: Record<string, string>;
    }[];
    assert.deepEqual(listed.find((a) => a.id === builder.id)?.labels, { pool: 'build' });
    assert.deepEqual(listed.find((a) => a.id === deployer.id)?.labels, { pool: 'deploy' });
  } finally {
    stop.abort();
    await Promise.all(agents);
  }
});

test('a lease request with a label that is not key=value material is refused with where and why', async () => {
  const agent = await register();
  const res = await fetch(`${t.url}/api/agent/lease`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${agent.token}`,
      'x-slipway-protocol': '1',
      'content-type': 'application/json',
    },
    body: JSON.stringify({ waitMs: 0, labels: { pool: 'a,b' } }),
  });
  assert.equal(res.status, 400);
  const body = (await res.json()) as { error: { code: string; message: string } };
  assert.match(JSON.stringify(body), /labels/);
});
