/** The queue contract on PostgreSQL: DbQueueService on a migrated database of a throwaway cluster. */
import { after, before } from 'node:test';
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
