import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { tokenInfoSchema } from '../../../api/tokens.js';
import { newApiToken, sha256Hex } from '../../auth/credentials.js';
import type { ServerContext } from '../../context.js';
import { notFound } from '../../errors.js';
import { defineRoute } from '../define-route.js';
import { requireRole } from '../principal.js';

/** Personal API tokens: listed without their value, shown once on creation, revocable. */
export function registerTokenRoutes(app: FastifyInstance, ctx: ServerContext): void {
  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: '/api/tokens',
    summary: 'Your API tokens (never their values)',
    tags: ['auth'],
    response: z.array(tokenInfoSchema),
    handler: async (_input, req) => {
      const me = requireRole(req, 'viewer');
      const rows = await ctx.db
        .selectFrom('api_tokens')
        .select(['id', 'name', 'created_at', 'last_used_at', 'revoked_at'])
        .where('user_id', '=', me.userId)
        .orderBy('created_at', 'desc')
        .execute();
      return rows.map((r) => ({
        id: r.id,
        name: r.name,
        createdAt: r.created_at,
        lastUsedAt: r.last_used_at,
        revoked: r.revoked_at !== null,
      }));
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'POST',
    url: '/api/tokens',
    summary: 'Create an API token; its value is shown only in this answer',
    tags: ['auth'],
    status: 201,
    body: z.object({ name: z.string().trim().min(1).max(100) }),
    response: z.object({ id: z.string(), name: z.string(), token: z.string() }),
    handler: async ({ body }, req) => {
      const me = requireRole(req, 'viewer');
      const id = randomUUID();
      const token = newApiToken();
      await ctx.db
        .insertInto('api_tokens')
        .values({
          id,
          user_id: me.userId,
          name: body.name,
          token_hash: sha256Hex(token),
          created_at: ctx.now(),
          last_used_at: null,
          revoked_at: null,
        })
        .execute();
      return { id, name: body.name, token };
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'DELETE',
    url: '/api/tokens/:id',
    summary: 'Revoke an API token (yours; admins: anyone’s). Idempotent',
    tags: ['auth'],
    status: 204,
    params: z.object({ id: z.string().max(64) }),
    handler: async ({ params }, req) => {
      const me = requireRole(req, 'viewer');
      const row = await ctx.db
        .selectFrom('api_tokens')
        .select(['id', 'user_id', 'revoked_at'])
        .where('id', '=', params.id)
        .executeTakeFirst();
      // Someone else's token is "not found" for a non-admin: its existence is not theirs to learn.
      if (!row || (row.user_id !== me.userId && me.role !== 'admin')) throw notFound(`token ${params.id}`);
      if (row.revoked_at !== null) return;
      await ctx.db
        .updateTable('api_tokens')
        .set({ revoked_at: ctx.now() })
        .where('id', '=', row.id)
        .execute();
    },
  });
}
