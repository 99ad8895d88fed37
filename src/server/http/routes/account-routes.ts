import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { sessionCookie } from '../../auth/cookies.js';
import { attemptKeys, releaseAttempt, reserveAttempt } from '../../auth/login-rate-limit.js';
import { hashPassword, verifyPassword } from '../../auth/passwords.js';
import { createSession, SESSION_TTL_MS } from '../../auth/sessions.js';
import { acceptInvite } from '../../auth/user-invites.js';
import { PASSWORD, USERNAME } from '../../auth/users.js';
import type { ServerContext } from '../../context.js';
import { writeAudit } from '../../deploys/audit-log.js';
import { AppError, forbidden, invalid, notFound } from '../../errors.js';
import { defineRoute } from '../define-route.js';
import { requireSignedIn } from '../principal.js';

const Done = z.object({ ok: z.literal(true) });

/**
 * What every user does for themselves: change their own password (always possible, even while a
 * generated one must be replaced) and turn an invitation link into an account.
 */
export function registerAccountRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const secure = ctx.config.publicUrl?.startsWith('https:') ?? false;

  defineRoute(app, ctx.routes, {
    method: 'PUT',
    url: '/api/me/password',
    summary: 'Change your own password (needs the current one); other sessions are signed out',
    tags: ['auth'],
    body: z.object({ currentPassword: z.string().min(1).max(1024), newPassword: PASSWORD }),
    response: Done,
    handler: async ({ body }, req) => {
      const me = requireSignedIn(req);
      const now = ctx.now();
      // The current password is guessed no faster here than at sign-in (a stolen cookie must
      // not become a way to take the account over).
      const attempt = await reserveAttempt(
        ctx.db,
        attemptKeys(me.username, req.ip),
        ctx.config.loginRateLimit,
        now,
      );
      if (attempt.refused) {
        throw new AppError('rate_limited', `too many wrong passwords; retry in ${attempt.retryAfter} s`);
      }
      const user = await ctx.db
        .selectFrom('users')
        .selectAll()
        .where('id', '=', me.userId)
        .executeTakeFirst();
      if (!user) throw notFound(`user "${me.username}"`);
      if (!(await verifyPassword(body.currentPassword, user.password_hash))) {
        throw forbidden('the current password is wrong');
      }
      await releaseAttempt(ctx.db, user.username, attempt.ids);
      if (await verifyPassword(body.newPassword, user.password_hash)) {
        throw invalid(
          'body.newPassword',
          'body.newPassword: choose a password different from the current one',
        );
      }
      const password_hash = await hashPassword(body.newPassword);
      await ctx.db.transaction().execute(async (trx) => {
        await trx
          .updateTable('users')
          .set({ password_hash, must_change_password: 0 })
          .where('id', '=', user.id)
          .execute();
        // Everyone else holding a session of this account is signed out; this one stays.
        let others = trx.deleteFrom('sessions').where('user_id', '=', user.id);
        if (req.authSession) others = others.where('id', '!=', req.authSession.id);
        await others.execute();
        await writeAudit(trx, now, {
          actor: user.username,
          action: 'user.password',
          projectId: null,
          target: user.username,
          detail: {},
        });
      });
      return { ok: true as const };
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'POST',
    url: '/api/invites/:token/accept',
    summary: 'Create your account from a one-time invitation link; signs you in',
    tags: ['auth'],
    auth: false,
    params: z.object({ token: z.string().min(16).max(200) }),
    body: z.object({ username: USERNAME, password: PASSWORD }),
    response: z.object({
      user: z.object({ username: z.string(), role: z.enum(['admin', 'maintainer', 'viewer']) }),
      csrfToken: z.string(),
    }),
    status: 201,
    handler: async ({ params, body }, _req, reply) => {
      const now = ctx.now();
      const user = await acceptInvite(ctx.db, params.token, body, now);
      if (!user) throw notFound('invitation (it was used, revoked or has expired)');
      await writeAudit(ctx.db, now, {
        actor: user.username,
        action: 'user.invite_accept',
        projectId: null,
        target: user.username,
        detail: { role: user.role },
      });
      const session = await createSession(ctx.db, user.id, now);
      reply.header('set-cookie', sessionCookie(session.cookie, { maxAge: SESSION_TTL_MS / 1000, secure }));
      return { user: { username: user.username, role: user.role }, csrfToken: session.csrfToken };
    },
  });
}
