/** The queue contract on PostgreSQL: DbQueueService on a migrated database of a throwaway cluster. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { queueContract } from '../queue/queue-contract.js';
import { queueFixture } from '../queue/queue-fixture.js';
import { type PostgresCluster, startPostgres } from '../support/postgres.js';

let cluster: PostgresCluster;
before(async () => {
  cluster = await startPostgres();
});
after(async () => {
  await cluster?.stop();
});

queueContract('DbQueueService on PostgreSQL', async (env) =>
  queueFixture({ SLIPWAY_DATABASE_URL: await cluster.createDatabase('queue'), ...env }),
);

describe('leasing on PostgreSQL under concurrency', () => {
  test('N agents leasing M queued runs at once: each run leased exactly once, limits kept', async () => {
    const h = await queueFixture({ SLIPWAY_DATABASE_URL: await cluster.createDatabase('leasing') });
    try {
      const AGENTS = 16;
      const open = await h.addProject({ concurrencyLimit: 100 });
      // Projects of limit 1 make the limit race likely: two claims that both read "0 leased".
      const limited = await Promise.all(
        Array.from({ length: 8 }, () => h.addProject({ concurrencyLimit: 1 })),
      );
      // Seeded concurrently too: run numbers must still come out 1..n per project.
      const seeded = await Promise.all([
        ...Array.from({ length: 24 }, () => h.addRun(open)),
        ...limited.flatMap((p) => Array.from({ length: 4 }, () => h.addRun(p))),
      ]);
      const numbers = await h.db.selectFrom('runs').select(['project_id', 'number']).execute();
      for (const [project, count] of [[open.id, 24], ...limited.map((p) => [p.id, 4] as const)] as const) {
        assert.deepEqual(
          numbers
            .filter((r) => r.project_id === project)
            .map((r) => r.number)
            .sort((a, b) => a - b),
          Array.from({ length: count }, (_, i) => i + 1),
        );
      }
      const agents = await Promise.all(Array.from({ length: AGENTS }, () => h.addAgent()));
      // Every agent leases until nothing is left, all at the same time, never finishing.
      const leasedBy = await Promise.all(
        agents.map(async (agent) => {
          const mine: string[] = [];
          for (;;) {
            const lease = await h.queue.lease(agent, 0);
            if (!lease) return mine;
            mine.push(lease.runId);
          }
        }),
      );
      const all = leasedBy.flat();
      assert.equal(new Set(all).size, all.length, 'no run leased twice');
      assert.equal(seeded.length, 56);
      const perProject = await h.db
        .selectFrom('queue')
        .select(['project_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('status', '=', 'leased')
        .groupBy('project_id')
        .execute();
      const leased = new Map(perProject.map((r) => [r.project_id, Number(r.n)]));
      assert.equal(leased.get(open.id), 24);
      for (const p of limited) assert.equal(leased.get(p.id), 1, 'a limit-1 project has one lease');
      assert.equal(all.length, 24 + limited.length);
    } finally {
      await h.close();
    }
  });
});
