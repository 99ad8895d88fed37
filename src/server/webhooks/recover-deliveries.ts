import { z } from 'zod';
import type { ServerContext } from '../context.js';
import { claimRunStart } from './deliveries.js';
import type { HookRun } from './hook-event.js';
import { startHookRun } from './start-hook-run.js';

/**
 * Restart recovery for webhooks and pushes to the built-in git server (security rule 14, "a
 * webhook answered 2xx has its run"; an acknowledged `git push` likewise): a
 * delivery recorded with its event but without a run — the server died between the 202 and
 * `createRun`, or `createRun` failed — is re-driven here, once. A delivery still being handled
 * elsewhere is safe: whoever claims it first (`claimRunStart`, an atomic UPDATE) creates the run,
 * the other one stops. A recovery that fails keeps its claim, so it is not retried again.
 */

const HOOK_RUN = z.object({
  kind: z.literal('run'),
  trigger: z.enum(['push', 'tag', 'pull_request']),
  ref: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('branch'), name: z.string().min(1) }),
    z.object({ kind: z.literal('tag'), name: z.string().min(1) }),
    z.object({ kind: z.literal('pull_request'), name: z.string().min(1), number: z.number().int() }),
  ]),
  sha: z.string().min(1),
  before: z.string().nullable(),
  actor: z.string(),
  fromFork: z.boolean(),
  commit: z.object({ message: z.string(), author: z.string(), time: z.number().optional() }).nullable(),
  pushed: z.boolean().optional(),
}) satisfies z.ZodType<HookRun>;

/** Longer than any push may take (git-routes.ts gives receive-pack 30 minutes). */
const PUSH_SETTLED_MS = 60 * 60_000;

export interface RecoveryResult {
  /** Deliveries whose run this call created. */
  started: number;
  /** Deliveries this call gave up on (unreadable event, project gone, `createRun` failed). */
  failed: number;
}

/**
 * Re-drives every delivery without a run that nobody holds, received at least `olderThanMs` ago
 * (0 at startup: nothing else in this process is handling any). Never throws for one delivery.
 */
export async function recoverPendingDeliveries(
  ctx: Pick<ServerContext, 'sources' | 'runs' | 'db' | 'log' | 'now'>,
  opts: { olderThanMs?: number } = {},
): Promise<RecoveryResult> {
  const result: RecoveryResult = { started: 0, failed: 0 };
  const pending = await ctx.db
    .selectFrom('deliveries')
    .select(['id', 'project_id', 'event', 'received_at'])
    .where('run_id', 'is', null)
    .where('event', 'is not', null)
    .where('started_at', 'is', null)
    .where('received_at', '<=', ctx.now() - (opts.olderThanMs ?? 0))
    .orderBy('received_at')
    .execute();
  for (const delivery of pending) {
    const log = { delivery: delivery.id, project: delivery.project_id };
    try {
      const hook = parseEvent(delivery.event);
      const project = await ctx.db
        .selectFrom('projects')
        .selectAll()
        .where('id', '=', delivery.project_id)
        .executeTakeFirst();
      if (!hook || !project) {
        // Nothing can ever run it: claim it so it is not looked at again.
        if (await claimRunStart(ctx.db, delivery.id, ctx.now())) {
          ctx.log.error(log, `webhook recovery: ${hook ? 'the project is gone' : 'unreadable event'}`);
          result.failed += 1;
        }
        continue;
      }
      // A built-in push whose ref does not hold its commit may still be receiving (here or in
      // another server process on the same database): only once no push can still be running
      // is it taken as refused by git and dropped.
      const outcome = await startHookRun(ctx, project, hook, delivery.id, {
        retry: false,
        dropUnmatched: ctx.now() - delivery.received_at > PUSH_SETTLED_MS,
      });
      if (outcome === 'started') {
        ctx.log.warn(log, 'webhook recovery: started the run of an unfinished delivery');
        result.started += 1;
      }
      if (outcome === 'failed') result.failed += 1;
    } catch (error) {
      ctx.log.error({ ...log, err: error }, 'webhook recovery failed');
      result.failed += 1;
    }
  }
  return result;
}

function parseEvent(text: string | null): HookRun | null {
  try {
    const parsed = HOOK_RUN.safeParse(JSON.parse(text ?? ''));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
