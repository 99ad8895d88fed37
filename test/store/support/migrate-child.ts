/**
 * A first start's migration in a process of its own, for migration-crash.test.ts:
 * `migrate-child.ts <sqlite file> <N>` migrates the file and, after its N-th statement, prints
 * "paused" and waits to be SIGKILLed; it prints "done" if the migration ends first (N = 0: never pause).
 */
import { migrateToLatest } from '../../../src/server/store/migrate.js';
import { openDatabase } from '../../../src/server/store/open-database.js';
import { PauseAfterQueries } from './pause-after-queries.js';

const [file, n] = process.argv.slice(2);
const db = openDatabase(`sqlite:${file}`);
const pause = new PauseAfterQueries(Number(n), () => {
  process.stdout.write('paused\n');
  setInterval(() => {}, 60_000); // stay alive until killed
});
await migrateToLatest(db.withPlugin(pause) as never);
await db.destroy();
process.stdout.write('done\n');
