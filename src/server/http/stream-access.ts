import type { FastifyRequest } from 'fastify';
import { currentHolder, roleAtLeast } from '../auth/credential-check.js';
import type { ServerContext } from '../context.js';
import type { Role } from '../store/tables.js';
import type { SseStream } from './sse.js';

/**
 * How often an open stream re-checks its reader. A revoked token, a signed-out session, a
 * deleted or demoted user, or a deleted project stops the stream within about this long.
 */
export const STREAM_ACCESS_RECHECK_MS = 3_000;

export interface StreamAccess {
  /** The role the route required when the stream opened (requireRole). */
  minimum: Role;
  /** The project streamed; its deletion ends the stream too. */
  projectId: string;
  /** Tests shorten it; defaults to STREAM_ACCESS_RECHECK_MS. */
  intervalMs?: number;
}

/**
 * Access is checked when a stream opens (requireRole + findProject), but a stream may stay open
 * for hours: this re-asks, every few seconds, whether the request's credential still stands for
 * a user with the role, and whether the project still exists — and ends the stream when not
 * (security rule 9). A failed lookup (database down) also ends it: the client reconnects and is
 * checked afresh, rather than reading on unchecked.
 */
export function endStreamWhenAccessEnds(
  ctx: Pick<ServerContext, 'db' | 'now'>,
  req: FastifyRequest,
  sse: SseStream,
  access: StreamAccess,
): void {
  const credential = req.authCredential;
  const userId = req.principal?.userId;
  if (!credential || !userId) {
    sse.close();
    return;
  }
  let checking = false;
  const stillAllowed = async (): Promise<boolean> => {
    const holder = await currentHolder(ctx.db, credential, ctx.now());
    if (!holder || holder.userId !== userId || !roleAtLeast(holder.role, access.minimum)) return false;
    const project = await ctx.db
      .selectFrom('projects')
      .select('id')
      .where('id', '=', access.projectId)
      .executeTakeFirst();
    return project !== undefined;
  };
  const timer = setInterval(() => {
    if (checking || sse.closed) return;
    checking = true;
    stillAllowed()
      .then((allowed) => {
        if (!allowed) {
          sse.comment('access ended');
          sse.close();
        }
      })
      .catch((error: unknown) => {
        req.log.warn({ err: error }, 'could not re-check the reader of a stream; ending it');
        sse.close();
      })
      .finally(() => {
        checking = false;
      });
  }, access.intervalMs ?? STREAM_ACCESS_RECHECK_MS);
  // A stream must not keep the process alive on its own.
  timer.unref();
  sse.onClose(() => clearInterval(timer));
}
