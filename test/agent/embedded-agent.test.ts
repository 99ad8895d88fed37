/** The server's embedded agent: runs queued work in-process, and takes over after a restart. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { FakeBackend } from '../../src/backends/fake/fake-backend.js';
import { startEmbeddedAgent } from '../../src/cli/embedded-agent.js';
import { ensureEmbeddedAgent } from '../../src/server/queue/agent-registry.js';
import { seedProject, seedRun } from '../queue/queue-fixture.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { until } from '../support/wait.js';

let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(async () => {
  await t.close();
});

const status = async (runId: string) =>
  (
    await t.server.ctx.db
      .selectFrom('runs')
      .select('status')
      .where('id', '=', runId)
      .executeTakeFirstOrThrow()
  ).status;

test('ends what it held before a restart, then runs queued work; one row, reused', async () => {
  const project = await seedProject(t.server.ctx, { secrets: { DEPLOY_TOKEN: 'deploy-token-value' } });
  // A lease of the embedded agent from "the previous server process".
  const previous = await ensureEmbeddedAgent(t.server.ctx.db, t.server.ctx.now());
  const held = await seedRun(t.server.ctx, project);
  await t.server.ctx.db
    .updateTable('queue')
    .set({
      status: 'leased',
      lease_id: randomUUID(),
      agent_id: previous.id,
      leased_at: Date.now(),
      heartbeat_at: Date.now(),
    })
    .where('id', '=', held.executionId)
    .execute();
  const queued = await seedRun(t.server.ctx, project);

  const stop = await startEmbeddedAgent(t.server, new FakeBackend(), 2);
  try {
    assert.equal(await status(held.runId), 'failed', 'ended at start, not after the lease timeout');
    await until('the queued run to succeed', async () => (await status(queued.runId)) === 'succeeded', {
      timeoutMs: 10_000,
      intervalMs: 10,
    });
  } finally {
    await stop();
  }
  const rows = await t.server.ctx.db.selectFrom('agents').select('id').where('embedded', '=', 1).execute();
  assert.deepEqual(
    rows.map((r) => r.id),
    [previous.id],
  );
  const revoke = await t.api(`/api/agents/${previous.id}`, { method: 'DELETE' });
  assert.equal(revoke.status, 409, 'the embedded agent cannot be revoked');
});
