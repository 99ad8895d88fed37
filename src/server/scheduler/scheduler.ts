import type { ServerContext } from '../context.js';
import { cronProblem, nextCronTime } from './cron.js';
import { fireSchedule } from './fire-schedule.js';

export interface SchedulerOptions {
  /** Pause between ticks (default 5 s): the worst-case lateness of a firing. */
  intervalMs?: number;
  /** Most schedules fired per tick, so one tick stays short; the rest fire on the next. */
  batch?: number;
}

const DEFAULT_INTERVAL_MS = 5000;
const DEFAULT_BATCH = 50;

/**
 * Fires due cron schedules every few seconds until the returned function is called. Ticks never
 * overlap (the next is armed when one ends) and a failing tick is logged, never fatal.
 */
export function startScheduler(ctx: ServerContext, opts: SchedulerOptions = {}): () => void {
  const interval = opts.intervalMs ?? DEFAULT_INTERVAL_MS;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const loop = async () => {
    try {
      await tickScheduler(ctx, ctx.now(), opts.batch);
    } catch (error) {
      ctx.log.error({ err: error }, 'scheduler tick failed');
    }
    if (!stopped) arm();
  };
  const arm = () => {
    timer = setTimeout(loop, interval);
    timer.unref(); // a pending tick must not keep the process alive
  };
  arm();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}

/**
 * One pass: every enabled schedule with `next_at <= now` is claimed by moving its `next_at` to
 * the next firing after `now` — an update conditioned on the old value, so when two servers
 * share the database only one wins — and then fired. Claiming first makes a firing at most once:
 * a failed run creation is logged and waits for the next slot rather than being retried in a
 * loop. Firings missed while the server was down collapse into one. Returns runs started.
 */
export async function tickScheduler(ctx: ServerContext, now: number, batch = DEFAULT_BATCH): Promise<number> {
  const due = await ctx.db
    .selectFrom('schedules')
    .innerJoin('projects', 'projects.id', 'schedules.project_id')
    .selectAll('schedules')
    .select('projects.name as project_name')
    .where('schedules.enabled', '=', 1)
    .where('schedules.next_at', '<=', now)
    .orderBy('schedules.next_at')
    .limit(batch)
    .execute();
  let started = 0;
  for (const { project_name, ...schedule } of due) {
    const log = ctx.log.child({ schedule: schedule.id, project: project_name });
    const problem = cronProblem(schedule.cron);
    if (problem) {
      // Only a hand-edited row gets here; disabling it beats failing on every tick.
      log.error({ problem }, 'schedule has an invalid cron expression; disabled');
      await ctx.db.updateTable('schedules').set({ enabled: 0 }).where('id', '=', schedule.id).execute();
      continue;
    }
    const claimed = await ctx.db
      .updateTable('schedules')
      .set({ next_at: nextCronTime(schedule.cron, now, schedule.id) })
      .where('id', '=', schedule.id)
      .where('next_at', '=', schedule.next_at)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) continue; // another server fired it
    try {
      const project = await ctx.db
        .selectFrom('projects')
        .selectAll()
        .where('id', '=', schedule.project_id)
        .executeTakeFirstOrThrow();
      const runId = await fireSchedule({ ...ctx, log }, project, schedule);
      if (runId === null) continue;
      await ctx.db
        .updateTable('schedules')
        .set({ last_run_id: runId })
        .where('id', '=', schedule.id)
        .execute();
      started++;
    } catch (error) {
      log.error({ err: error }, 'scheduled run could not be started');
    }
  }
  return started;
}
