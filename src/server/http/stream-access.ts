import type { FastifyRequest } from 'fastify';
import { projectRoleOf, type Reader } from '../access/project-access.js';
import { currentHolder } from '../auth/credential-check.js';
import type { ServerContext } from '../context.js';
import type { SseStream } from './sse.js';

/**
 * How often an open stream re-checks its reader. A revoked token, a signed-out session, a
 * deleted or demoted user, or a deleted project stops the stream within about this long.
 */
export const STREAM_ACCESS_RECHECK_MS = 3_000;

export interface StreamAccess {
  /** The project streamed: its deletion, or the reader losing read access to it, ends the stream. */
  projectId: string;
  /** Tests shorten it; defaults to STREAM_ACCESS_RECHECK_MS. */
  intervalMs?: number;
}

/**
 * Access is checked when a stream opens (the project guard, access/project-guard.ts), but a
 * stream may stay open for hours: this re-asks, every few seconds, whether the request's
 * credential still stands for the same user, and whether that user (or, for an anonymous reader
 * of a public project, anybody) may still read the project — membership removed, visibility
 * narrowed, project deleted — and ends the stream when not (security rule 9). A failed lookup
 * (database down) also ends it: the client reconnects and is checked afresh, rather than
 * reading on unchecked.
 */
export function endStreamWhenAccessEnds(
  ctx: Pick<ServerContext, 'db' | 'now' | 'config'>,
  req: FastifyRequest,
  sse: SseStream,
  access: StreamAccess,
): void {
  const credential = req.authCredential;
  const userId = req.principal?.userId;
  const anonymous = !credential && !req.principal && req.projectAccess !== null;
  if (!anonymous && (!credential || !userId)) {
    sse.close();
    return;
  }
  let checking = false;
  const stillAllowed = async (): Promise<boolean> => {
    let reader: Reader | null = null;
    if (credential) {
      const holder = await currentHolder(ctx.db, credential, ctx.now());
      if (!holder || holder.userId !== userId) return false;
      reader = { userId: holder.userId, role: holder.role };
    }
    const project = await ctx.db
      .selectFrom('projects')
      .select(['id', 'visibility'])
      .where('id', '=', access.projectId)
      .executeTakeFirst();
    if (!project) return false;
    const role = await projectRoleOf(ctx.db, reader, project, {
      allowPublic: ctx.config.allowPublicProjects,
    });
    return role !== null;
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
