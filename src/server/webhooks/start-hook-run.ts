import type { ServerContext } from '../context.js';
import type { ProjectRow } from '../store/tables.js';
import { recordDeliveryRun } from './deliveries.js';
import type { HookRun } from './hook-event.js';

/**
 * The slow half of a webhook, after the forge has its 202: fetch the mirror so the commit is
 * there, then create the run and note it on the delivery. A failed fetch still creates the run —
 * a webhook answered 2xx must have its run, and a run that fails visibly ("no such commit") tells
 * the user more than silence. Never throws: errors are logged.
 */
export async function startHookRun(
  ctx: Pick<ServerContext, 'sources' | 'runs' | 'db' | 'log'>,
  project: ProjectRow,
  hook: HookRun,
  deliveryKey: string,
): Promise<void> {
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
    await recordDeliveryRun(ctx.db, deliveryKey, run.id);
  } catch (error) {
    ctx.log.error(
      { err: error, project: project.name, delivery: deliveryKey },
      'webhook: could not start the run',
    );
  }
}
