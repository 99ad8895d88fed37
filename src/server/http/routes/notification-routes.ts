import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../../context.js';
import { channelInputSchema, channelJsonSchema } from '../../notify/channel-config.js';
import {
  type ChannelScope,
  channelJson,
  findChannel,
  listChannels,
  saveChannel,
} from '../../notify/channel-store.js';
import { deliveryJsonSchema, deliveryLog } from '../../notify/delivery-log.js';
import type { NotificationMessage } from '../../notify/notification-message.js';
import { enqueueDeliveries } from '../../notify/outbox.js';
import { findProject } from '../../projects/find-project.js';
import { PROJECT_PARAM } from '../../projects/project-fields.js';
import type { Role } from '../../store/tables.js';
import { defineRoute } from '../define-route.js';
import { requireRole } from '../principal.js';

/** What the notification routes need beyond the context: the outbox to kick, the link base. */
export interface NotifyRouteDeps {
  kick: () => void;
  linkBase: string;
}

const ChannelParam = z.object({ id: z.string().max(100) });

/**
 * Notification channels, per project (`/api/projects/:project/notifications`: viewers read,
 * maintainers change) and global defaults every project gets (`/api/notifications`: admins).
 * Channel URLs, tokens and passwords are write-only: answers say only which are set.
 */
export function registerNotificationRoutes(
  app: FastifyInstance,
  ctx: ServerContext,
  deps: NotifyRouteDeps,
): void {
  const project = {
    prefix: '/api/projects/:project/notifications',
    params: PROJECT_PARAM,
    read: 'viewer' as Role,
    write: 'maintainer' as Role,
    scope: async (params: object): Promise<ChannelScope & { name: string | null }> => {
      const row = await findProject(ctx.db, (params as { project?: string }).project ?? '');
      return { projectId: row.id, name: row.name };
    },
  };
  const global = {
    prefix: '/api/notifications',
    params: z.object({}),
    read: 'admin' as Role,
    write: 'admin' as Role,
    scope: async (_params: object): Promise<ChannelScope & { name: string | null }> => ({
      projectId: null,
      name: null,
    }),
  };
  for (const area of [project, global]) {
    const tag = ['notifications'];
    const withId = area.params.extend(ChannelParam.shape);
    const guard = (req: FastifyRequest, role: Role) => requireRole(req, role);

    defineRoute(app, ctx.routes, {
      method: 'GET',
      url: area.prefix,
      summary:
        area === project
          ? 'Notification channels of the project, and the global ones it gets'
          : 'Global notification channels',
      tags: tag,
      params: area.params,
      response: z.array(channelJsonSchema),
      handler: async ({ params }, req) => {
        guard(req, area.read);
        const scope = await area.scope(params);
        const rows = await listChannels(ctx.db, scope, true);
        return rows.map((row) => channelJson(row, ctx.secretBox));
      },
    });

    defineRoute(app, ctx.routes, {
      method: 'POST',
      url: area.prefix,
      summary: 'Add a notification channel (its URL and secrets are write-only)',
      tags: tag,
      status: 201,
      params: area.params,
      body: channelInputSchema,
      response: channelJsonSchema,
      handler: async ({ params, body }, req) => {
        guard(req, area.write);
        const scope = await area.scope(params);
        return channelJson(await saveChannel(ctx, scope, body, null), ctx.secretBox);
      },
    });

    defineRoute(app, ctx.routes, {
      method: 'PUT',
      url: `${area.prefix}/:id`,
      summary: 'Change a notification channel; target fields left out keep their stored value',
      tags: tag,
      params: withId,
      body: channelInputSchema,
      response: channelJsonSchema,
      handler: async ({ params, body }, req) => {
        guard(req, area.write);
        const scope = await area.scope(params);
        const existing = await findChannel(ctx.db, scope, params.id);
        return channelJson(await saveChannel(ctx, scope, body, existing), ctx.secretBox);
      },
    });

    defineRoute(app, ctx.routes, {
      method: 'DELETE',
      url: `${area.prefix}/:id`,
      summary: 'Delete a notification channel (its delivery log stays)',
      tags: tag,
      status: 204,
      params: withId,
      handler: async ({ params }, req) => {
        guard(req, area.write);
        const scope = await area.scope(params);
        const existing = await findChannel(ctx.db, scope, params.id);
        await ctx.db.deleteFrom('notification_channels').where('id', '=', existing.id).execute();
      },
    });

    defineRoute(app, ctx.routes, {
      method: 'POST',
      url: `${area.prefix}/:id/test`,
      summary: 'Send a test message through the channel now (see its delivery log for the answer)',
      tags: tag,
      status: 202,
      params: withId,
      response: z.object({ queued: z.boolean() }),
      handler: async ({ params }, req) => {
        const who = guard(req, area.write);
        const scope = await area.scope(params);
        const channel = await findChannel(ctx.db, scope, params.id);
        const now = ctx.now();
        const message: NotificationMessage = {
          event: 'test',
          project: scope.name,
          url: scope.name ? `${deps.linkBase}/projects/${encodeURIComponent(scope.name)}` : deps.linkBase,
          at: now,
        };
        await enqueueDeliveries(ctx.db, now, [
          {
            kind: 'notification',
            projectId: scope.projectId,
            channelId: channel.id,
            dedupKey: `t:${channel.id}:${now}:${who.userId}:${Math.random().toString(36).slice(2)}`,
            payload: message,
          },
        ]);
        deps.kick();
        return { queued: true };
      },
    });

    defineRoute(app, ctx.routes, {
      method: 'GET',
      url: `${area.prefix}/:id/deliveries`,
      summary: 'The channel’s delivery log, newest first: status, response code, attempts, time',
      tags: tag,
      params: withId,
      query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
      response: z.array(deliveryJsonSchema),
      handler: async ({ params, query }, req) => {
        guard(req, area.read);
        const scope = await area.scope(params);
        // Project members may read the log of a global channel for their project only.
        const channel = await ctx.db
          .selectFrom('notification_channels')
          .select(['id', 'project_id'])
          .where('id', '=', params.id)
          .executeTakeFirst();
        const visible = channel && (channel.project_id === scope.projectId || channel.project_id === null);
        if (!visible) await findChannel(ctx.db, scope, params.id);
        return deliveryLog(ctx.db, { channelId: params.id, projectId: scope.projectId, limit: query.limit });
      },
    });
  }
}
