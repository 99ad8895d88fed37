import type { ServerContext } from '../context.js';
import { recordDeliverySkip, WorkflowSkipped } from '../runs/workflow-skip.js';
import type { ProjectRow } from '../store/tables.js';
import { claimRunStart, recordDeliveryRun, releaseRunStart } from './deliveries.js';
import type { HookRun } from './hook-event.js';

/**
 * `dropped`: a built-in push's ref does not hold the pushed commit (git refused the update), so
 * there is nothing to run; `waiting`: the same, but the push may still be in progress.
 */
export type HookRunOutcome = 'started' | 'taken' | 'failed' | 'dropped' | 'waiting';

/**
 * The slow half of a webhook, after the forge has its 202: fetch the mirror so the commit is
 * there, then claim the delivery, create the run and note it on the delivery. A failed fetch still
 * creates the run — a webhook answered 2xx must have its run, and a run that fails visibly ("no
 * such commit") tells the user more than silence. A claim already taken means another attempt
 * (the live request or a restart's recovery) creates it: nothing to do. When `createRun` fails the
 * claim is given back (`retry`, the live request) so a restart tries once more; a recovery keeps
 * it, so it is the last attempt. Never throws: errors are logged.
 * A ref update of the built-in git server (`hook.pushed`) is recorded before git runs; it runs
 * only when the ref holds the pushed commit, else it is dropped (`dropUnmatched`: git has
 * finished, or the push is older than any push can take) or left for later (it may still be
 * receiving).
 */
export async function startHookRun(
  ctx: Pick<ServerContext, 'sources' | 'runs' | 'db' | 'log' | 'now'>,
  project: ProjectRow,
  hook: HookRun,
  deliveryKey: string,
  opts: { retry: boolean; dropUnmatched?: boolean } = { retry: true },
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
    // Peeled: an annotated tag's id names a tag object, the run builds the commit it points at.
    const info = await ctx.sources.commitInfo(project, hook.sha);
    const sha = info?.sha ?? hook.sha;
    if (hook.pushed) {
      const now = hook.ref.kind === 'pull_request' ? null : await ctx.sources.resolve(project, hook.ref);
      if (!info || now !== sha) {
        if (!opts.dropUnmatched) return 'waiting';
        // Claimed so neither the live request nor a recovery looks at it again.
        await claimRunStart(ctx.db, deliveryKey, ctx.now());
        return 'dropped';
      }
    }
    // A new branch (no before) is compared with where it left the default branch.
    const newBranchBase =
      hook.before === null && hook.ref.kind === 'branch' && hook.ref.name !== project.default_branch
        ? await ctx.sources.resolve(project, { kind: 'branch', name: project.default_branch })
        : null;
    const changedFiles = await ctx.sources.changedFiles(
      project,
      hook.before,
      sha,
      newBranchBase ?? undefined,
    );
    const commit = info ?? hook.commit;
    const commitTime = info?.time ?? hook.commit?.time;
    if (!(await claimRunStart(ctx.db, deliveryKey, ctx.now()))) return 'taken';
    claimed = true;
    const run = await ctx.runs.createRun({
      project,
      event: {
        kind: hook.trigger,
        ref: hook.ref,
        sha,
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
    if (error instanceof WorkflowSkipped && claimed) {
      // Not a failure: the pipeline says this event gets no run. The claim stays (nobody retries).
      await recordDeliverySkip(ctx.db, deliveryKey, error.message);
      ctx.log.info({ project: project.name, delivery: deliveryKey }, error.message);
      return 'dropped';
    }
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
