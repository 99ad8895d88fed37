import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.js';
import { findProject } from '../../projects/find-project.js';
import { defineRoute } from '../define-route.js';
import { requireRole } from '../principal.js';
import { openSse, trackSseStreams } from '../sse.js';
import { endStreamWhenAccessEnds } from '../stream-access.js';
import { projectParams, SSE_HEARTBEAT_MS } from './run-params.js';

/**
 * Status events have no history to resume from (the client re-reads the records page on
 * reconnect), so a client that cannot keep up is disconnected once this much is buffered
 * for it, instead of letting the buffer grow.
 */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/**
 * `GET /api/projects/:project/events`: a project's live changes as SSE
 * (`event: run|job|image|environment|release`).
 */
export function registerProjectEventsRoute(app: FastifyInstance, ctx: ServerContext): void {
  const streams = trackSseStreams(app);
  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: '/api/projects/:project/events',
    summary:
      'Live changes of a project: runs, jobs, images, environments, releases (Server-Sent Events; data is the ProjectEvent JSON)',
    tags: ['runs'],
    params: projectParams,
    handler: async ({ params }, req, reply) => {
      requireRole(req, 'viewer');
      const project = await findProject(ctx.db, params.project);
      const sse = openSse(reply, streams);
      endStreamWhenAccessEnds(ctx, req, sse, { projectId: project.id });
      const unsubscribe = ctx.events.subscribe(project.id, (event) => {
        sse.send(event.type, JSON.stringify(event));
        if (sse.buffered > MAX_BUFFERED_BYTES) sse.close();
      });
      const heartbeat = setInterval(() => sse.comment('heartbeat'), SSE_HEARTBEAT_MS);
      sse.onClose(() => {
        clearInterval(heartbeat);
        unsubscribe();
      });
      sse.comment('connected');
    },
  });
}
