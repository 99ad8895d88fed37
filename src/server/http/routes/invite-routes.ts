import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { createdInviteSchema, inviteJsonSchema as Invite } from '../../../api/accounts.js';
import { createInvite, DEFAULT_INVITE_TTL_HOURS, inviteJson } from '../../auth/user-invites.js';
import { ROLE } from '../../auth/users.js';
import type { ServerContext } from '../../context.js';
import { writeAudit } from '../../deploys/audit-log.js';
import { notFound } from '../../errors.js';
import { defineRoute } from '../define-route.js';
import { requireRole } from '../principal.js';

/** Invitation links (admins): make one, list them, revoke an unused one. */
export function registerInviteRoutes(app: FastifyInstance, ctx: ServerContext): void {
  defineRoute(app, ctx.routes, {
    method: 'POST',
    url: '/api/invites',
    summary: 'Make a one-time invitation link for a new user with the given role',
    tags: ['users'],
    status: 201,
    body: z.object({
      role: ROLE,
      expiresInHours: z
        .number()
        .int()
        .min(1)
        .max(24 * 30)
        .default(DEFAULT_INVITE_TTL_HOURS),
    }),
    response: createdInviteSchema,
    handler: async ({ body }, req) => {
      const admin = requireRole(req, 'admin');
      const now = ctx.now();
      const { token, invite } = await createInvite(
        ctx.db,
        { role: body.role, createdBy: admin.username, ttlHours: body.expiresInHours },
        now,
      );
      await writeAudit(ctx.db, now, {
        actor: admin.username,
        action: 'user.invite',
        projectId: null,
        target: invite.id,
        detail: { role: body.role, expiresAt: invite.expiresAt },
      });
      // The token is shown once, here; the server keeps only its hash.
      const path = `/invite/${token}`;
      const base = ctx.config.publicUrl?.replace(/\/+$/, '') ?? null;
      return { ...invite, token, path, url: base ? `${base}${path}` : null };
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: '/api/invites',
    summary: 'Invitation links, newest first (used and expired ones included)',
    tags: ['users'],
    response: z.array(Invite),
    handler: async (_input, req) => {
      requireRole(req, 'admin');
      const rows = await ctx.db
        .selectFrom('user_invites')
        .selectAll()
        .orderBy('created_at', 'desc')
        .limit(200)
        .execute();
      return rows.map(inviteJson);
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'DELETE',
    url: '/api/invites/:id',
    summary: 'Revoke an unused invitation link',
    tags: ['users'],
    status: 204,
    params: z.object({ id: z.string().regex(/^[0-9a-f]{12}$/, 'an invitation id is 12 hex digits') }),
    handler: async ({ params }, req) => {
      const admin = requireRole(req, 'admin');
      const gone = await ctx.db
        .deleteFrom('user_invites')
        .where('id', 'like', `${params.id}%`)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      if (Number(gone.numDeletedRows) === 0) throw notFound(`unused invitation ${params.id}`);
      await writeAudit(ctx.db, ctx.now(), {
        actor: admin.username,
        action: 'user.invite_revoke',
        projectId: null,
        target: params.id,
        detail: {},
      });
    },
  });
}
