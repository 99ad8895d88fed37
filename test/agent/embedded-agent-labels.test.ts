/**
 * The embedded agent's labels: SLIPWAY_AGENT_LABELS plus the host's os and arch, recorded on its
 * agent row, so it takes runs asking for them and leaves the others waiting (visibly).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FakeBackend } from '../../src/backends/fake/fake-backend.js';
import { startEmbeddedAgent } from '../../src/cli/embedded-agent.js';
import { ConfigError, loadServerConfig } from '../../src/server/config.js';
import { seedProject, seedRun } from '../queue/queue-fixture.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { until } from '../support/wait.js';

let t: TestServer;
before(async () => {
  t = await startTestServer({ SLIPWAY_AGENT_LABELS: 'pool=local, tier=small' });
});
after(async () => {
  await t.close();
});

const pipelineFor = (runsOn: string) => `version: 1
image: busybox
runs_on: ${runsOn}
stages:
  - name: build
    jobs:
      compile: { script: [echo compiled] }
`;

test('SLIPWAY_AGENT_LABELS that are not key=value stop the server at start, naming the setting', () => {
  assert.throws(
    () => loadServerConfig({ SLIPWAY_AGENT_LABELS: 'pool' }, process.cwd()),
    (e: Error) => e instanceof ConfigError && /SLIPWAY_AGENT_LABELS: "pool" is not key=value/.test(e.message),
  );
});

test('the embedded agent declares its configured and host labels and takes only runs asking for them', async () => {
  const project = await seedProject(t.server.ctx);
  const mine = await seedRun(t.server.ctx, project, {
    pipeline: pipelineFor(`{ pool: local, os: ${process.platform}, arch: ${process.arch} }`),
  });
  const other = await seedRun(t.server.ctx, project, { pipeline: pipelineFor('{ pool: gpu }') });
  const status = async (runId: string) =>
    (
      await t.server.ctx.db
        .selectFrom('runs')
        .select('status')
        .where('id', '=', runId)
        .executeTakeFirstOrThrow()
    ).status;
  const stop = await startEmbeddedAgent(t.server, new FakeBackend(), 2);
  try {
    await until('the matching run to succeed', async () => (await status(mine.runId)) === 'succeeded', {
      timeoutMs: 10_000,
      intervalMs: 10,
    });
    assert.equal(await status(other.runId), 'queued');
  } finally {
    await stop();
  }
  const listed = (await (await t.api('/api/agents')).json()) as {
    embedded: boolean;
    labels: Record<string, string>;
  }[];
  assert.deepEqual(listed.find((a) => a.embedded)?.labels, {
    arch: process.arch,
    os: process.platform,
    pool: 'local',
    tier: 'small',
  });
});
