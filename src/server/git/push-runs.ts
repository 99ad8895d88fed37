import { randomUUID } from 'node:crypto';
import { parseRef } from '../../domain/ref.js';
import type { ServerContext } from '../context.js';
import type { ProjectRow } from '../store/tables.js';
import type { HookRun } from '../webhooks/hook-event.js';
import { startHookRun } from '../webhooks/start-hook-run.js';
import type { RefCommand } from './receive-commands.js';
import { isZeroId } from './ref-names.js';

/**
 * One run per branch or tag a push to the built-in git server created or moved (deletions start
 * nothing). Write-ahead, like webhook deliveries: each ref update is recorded (a `deliveries` row
 * whose event is marked `pushed`) *before* git receives the pack, so a push git acknowledges
 * always has its runs — a crash right after the ack is recovered at start (recover-deliveries.ts),
 * and a database that cannot be written refuses the push instead of losing runs.
 * After git has finished, a ref update counts only if the ref holds what this push sent: a
 * rejected update, or one overtaken by a later push, starts no run for a commit that is not there.
 */

export interface PendingPush {
  key: string;
  hook: HookRun;
}

/** The branch and tag updates of a push worth a run (not deletions, not other refs). */
export function runnableCommands(commands: readonly RefCommand[]): RefCommand[] {
  return commands.filter(
    (c) => !isZeroId(c.newOid) && (c.ref.startsWith('refs/heads/') || c.ref.startsWith('refs/tags/')),
  );
}

/** Records the updates in one statement; throws when the database cannot be written. */
export async function recordPushedRefs(
  ctx: Pick<ServerContext, 'db' | 'now'>,
  project: ProjectRow,
  commands: readonly RefCommand[],
  actor: string,
): Promise<PendingPush[]> {
  const pending = runnableCommands(commands).map((command): PendingPush => {
    const ref = parseRef(command.ref);
    return {
      key: `git:${randomUUID()}`,
      hook: {
        kind: 'run',
        trigger: ref.kind === 'tag' ? 'tag' : 'push',
        ref,
        // The pushed object: for an annotated tag the tag object, peeled when the run starts.
        sha: command.newOid,
        before: isZeroId(command.oldOid) ? null : command.oldOid,
        actor,
        fromFork: false,
        commit: null,
        pushed: true,
      },
    };
  });
  if (pending.length === 0) return pending;
  const now = ctx.now();
  await ctx.db
    .insertInto('deliveries')
    .values(
      pending.map((p) => ({
        id: p.key,
        project_id: project.id,
        received_at: now,
        run_id: null,
        event: JSON.stringify(p.hook),
        started_at: null,
      })),
    )
    .execute();
  return pending;
}

/**
 * After git has finished: starts the run of each recorded update whose ref holds its pushed
 * object, drops the others. Never throws; a run that fails to start is retried by recovery.
 */
export async function startPushRuns(
  ctx: Pick<ServerContext, 'runs' | 'sources' | 'db' | 'log' | 'now'>,
  project: ProjectRow,
  pending: readonly PendingPush[],
): Promise<void> {
  for (const { key, hook } of pending) {
    await startHookRun(ctx, project, hook, key, { retry: true, dropUnmatched: true });
  }
}
