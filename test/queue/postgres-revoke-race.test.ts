/**
 * Revoking an agent while it claims as fast as it can, on PostgreSQL (claims run concurrently
 * there): the claim checks the agent inside its transaction, under the lock the revoke takes, so
 * no claim that starts after the revoke returns a lease, and no lease stays held by the revoked
 * agent.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AppError } from '../../src/server/errors.js';
import { type PostgresCluster, startPostgres } from '../support/postgres.js';
import { queueFixture } from './queue-fixture.js';

let cluster: PostgresCluster;
before(async () => {
  cluster = await startPostgres();
});
after(async () => {
  await cluster?.stop();
});

test('an agent revoked while claiming in parallel gets nothing after the revoke and keeps no lease', async () => {
  const h = await queueFixture({ SLIPWAY_DATABASE_URL: await cluster.createDatabase('revoke') });
  try {
    const project = await h.addProject({ concurrencyLimit: 100 });
    for (let i = 0; i < 40; i++) await h.addRun(project);
    const agent = await h.addAgent();
    let revoked = false;
    const lateLeases: string[] = [];
    const given: string[] = [];
    const claimer = async () => {
      for (;;) {
        const startedAfterRevoke = revoked;
        try {
          const lease = await h.queue.lease(agent, 0);
          if (lease) given.push(lease.runId);
          if (lease && startedAfterRevoke) lateLeases.push(lease.runId);
          if (!lease && startedAfterRevoke) return;
        } catch (error) {
          assert.ok(error instanceof AppError && error.code === 'unauthorized', String(error));
          return;
        }
      }
    };
    const claimers = Array.from({ length: 6 }, claimer);
    while (given.length < 3) await new Promise((resolve) => setTimeout(resolve, 5));
    await h.queue.revokeAgent(agent);
    revoked = true;
    await Promise.all(claimers);

    assert.deepEqual(lateLeases, [], 'leases handed out after the revoke');
    const held = await h.db
      .selectFrom('queue')
      .select('run_id')
      .where('agent_id', '=', agent)
      .where('status', '=', 'leased')
      .execute();
    assert.deepEqual(held, [], 'leases still held by the revoked agent');
    assert.ok(given.length < 40, 'the revoke stopped the agent before it took everything');
  } finally {
    await h.close();
  }
});
