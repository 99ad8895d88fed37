/** The queue contract on the real implementation: DbQueueService on a migrated SQLite file. */
import { queueContract } from './queue-contract.js';
import { queueFixture } from './queue-fixture.js';

queueContract('DbQueueService on SQLite', (env) => queueFixture(env));
