/**
 * Which workspace an execution continues in. Agents name workspaces by run id and keep them for
 * a while, so "resume from failed" finds the files the failed execution left.
 *
 * An execution that does not reuse gets its run's own workspace. One that reuses continues
 * where its run's work lives: the run's own workspace, unless the run itself started as a
 * resume of a parent run (its first execution reused), in which case it is the parent's —
 * followed up the chain, so a resume of a resume still finds the original files.
 */
import type { Kysely } from 'kysely';
import type { Database, QueueRow } from '../store/tables.js';

/** Resume chains longer than this are cut (a cycle would be a bug elsewhere; never loop). */
const MAX_DEPTH = 32;

export async function workspaceOf(db: Kysely<Database>, execution: QueueRow): Promise<string> {
  if (execution.reuse_workspace !== 1) return execution.run_id;
  let runId = execution.run_id;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const first = await db
      .selectFrom('queue')
      .select('reuse_workspace')
      .where('run_id', '=', runId)
      .orderBy('enqueued_at')
      .orderBy('id')
      .executeTakeFirst();
    const run = await db
      .selectFrom('runs')
      .select('parent_run_id')
      .where('id', '=', runId)
      .executeTakeFirst();
    if (first?.reuse_workspace !== 1 || !run?.parent_run_id) return runId;
    runId = run.parent_run_id;
  }
  return runId;
}
