import type { ServerContext } from '../context.js';
import type { ProjectRow } from '../store/tables.js';
import { claimRunStart, recordDeliveryRun, releaseRunStart } from './deliveries.js';
import type { HookRun } from './hook-event.js';

export type HookRunOutcome = 'started' | 'taken' | 'failed';

/**
 * The slow half of a webhook, after the forge has its 202: fetch the mirror so the commit is
 * there, then claim the delivery, create the run and note it on the delivery. A failed fetch still
 * creates the run — a webhook answered 2xx must have its run, and a run that fails visibly ("no
 * such commit") tells the user more than silence. A claim already taken means another attempt
 * (the live request or a restart's recovery) creates it: nothing to do. When `createRun` fails the
 * claim is given back (`retry`, the live request) so a restart tries once more; a recovery keeps
 * it, so it is the last attempt. Never throws: errors are logged.
 */
export async function startHookRun(
  ctx: Pick<ServerContext, 'sources' | 'runs' | 'db' | 'log' | 'now'>,
  project: ProjectRow,
  hook: HookRun,
  deliveryKey: string,
  opts: { retry: boolean } = { retry: true },
): Promise<HookRunOutcome> {
  let claimed = false;
  try {
    try {
      await ctx.sources.refresh(project);
    } catch (error) {
      ctx.log.warn(
        { err: error, project: project.name, delivery: deliveryKey },
        'webhook: fetching the mirror failed',
      );
    }
    const [info, changedFiles] = await Promise.all([
      ctx.sources.commitInfo(project, hook.sha),
      ctx.sources.changedFiles(project, hook.before, hook.sha),
    ]);
    const commit = info ?? hook.commit;
    const commitTime = info?.time ?? hook.commit?.time;
    if (!(await claimRunStart(ctx.db, deliveryKey, ctx.now()))) return 'taken';
    claimed = true;
    const run = await ctx.runs.createRun({
      project,
      event: {
        kind: hook.trigger,
        ref: hook.ref,
        sha: hook.sha,
        author: commit?.author ?? hook.actor,
        message: commit?.message ?? '',
        changedFiles,
        ...(commitTime !== undefined ? { commitTime } : {}),
      },
      trigger: hook.trigger,
      actor: hook.actor,
      // Fork code gets no secrets, unless an admin marked the project trusted (security rule 1).
      untrusted: hook.fromFork && project.trusted !== 1,
    });
    claimed = false;
    await recordDeliveryRun(ctx.db, deliveryKey, run.id);
    return 'started';
  } catch (error) {
    ctx.log.error(
      { err: error, project: project.name, delivery: deliveryKey },
      'webhook: could not start the run',
    );
    if (claimed && opts.retry) {
      await releaseRunStart(ctx.db, deliveryKey).catch((err) =>
        ctx.log.error({ err, delivery: deliveryKey }, 'webhook: could not release the delivery'),
      );
    }
    return 'failed';
  }
}
