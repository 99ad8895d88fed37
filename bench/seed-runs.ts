/**
 * Loads a long run history straight into the database, in transactions of BATCH runs: the
 * seeding behind the benchmarks of pages that list runs. Also sets the project's run counter,
 * so the next run a benchmark creates gets the next number.
 */
import type { Kysely } from 'kysely';
import type { Database, JobRow, RunRow } from '../src/server/store/tables.js';

const BATCH = 500;

export async function seedRuns(
  db: Kysely<Database>,
  projectId: string,
  count: number,
  make: { run: (projectId: string, number: number) => RunRow; jobs: (run: RunRow) => JobRow[] },
): Promise<void> {
  for (let from = 1; from <= count; from += BATCH) {
    const runs: RunRow[] = [];
    const jobs: JobRow[] = [];
    for (let number = from; number < Math.min(from + BATCH, count + 1); number++) {
      const run = make.run(projectId, number);
      runs.push(run);
      jobs.push(...make.jobs(run));
    }
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('runs').values(runs).execute();
      for (let i = 0; i < jobs.length; i += BATCH)
        await trx
          .insertInto('jobs')
          .values(jobs.slice(i, i + BATCH))
          .execute();
    });
  }
  await db
    .insertInto('counters')
    .values({ key: `run:${projectId}`, value: count })
    .execute();
}
