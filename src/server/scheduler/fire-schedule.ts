import type { ServerContext } from '../context.js';
import type { ProjectRow, ScheduleRow } from '../store/tables.js';

/**
 * Starts the run of one due schedule: the branch's current head, as a `cron` event. Returns the
 * run id, or null when the branch does not exist (nothing to run; the schedule stays).
 */
export async function fireSchedule(
  ctx: Pick<ServerContext, 'sources' | 'runs' | 'log'>,
  project: ProjectRow,
  schedule: ScheduleRow,
): Promise<string | null> {
  const ref = { kind: 'branch' as const, name: schedule.branch };
  // A stale mirror is better than no run: fetch failures are logged and the last head is used.
  await ctx.sources
    .refresh(project)
    .catch((error) =>
      ctx.log.warn({ err: error }, 'could not refresh the mirror; using the last fetched head'),
    );
  const sha = await ctx.sources.resolve(project, ref);
  if (!sha) {
    ctx.log.warn(
      { project: project.name, branch: schedule.branch },
      'scheduled branch does not exist; skipped',
    );
    return null;
  }
  const commit = await ctx.sources.commitInfo(project, sha);
  const run = await ctx.runs.createRun({
    project,
    trigger: 'cron',
    actor: 'cron',
    event: {
      kind: 'cron',
      ref,
      sha,
      author: commit?.author ?? '',
      message: commit?.message ?? '',
      ...(commit ? { commitTime: commit.time } : {}),
    },
  });
  return run.id;
}
