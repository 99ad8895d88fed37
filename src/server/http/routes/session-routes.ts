import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { MeSchema } from '../../../api/session.js';
import { sessionCookie } from '../../auth/cookies.js';
import { attemptKeys, releaseAttempt, reserveAttempt } from '../../auth/login-rate-limit.js';
import { dummyVerify, verifyPassword } from '../../auth/passwords.js';
import { createSession, deleteSession, SESSION_TTL_MS } from '../../auth/sessions.js';
import { findUser } from '../../auth/users.js';
import type { ServerContext } from '../../context.js';
import { forbidden, unauthorized } from '../../errors.js';
import { defineRoute } from '../define-route.js';
import { requireSignedIn } from '../principal.js';

/** Sign in, sign out, who am I. */
export function registerSessionRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const secure = ctx.config.publicUrl?.startsWith('https:') ?? false;

  defineRoute(app, ctx.routes, {
    method: 'POST',
    url: '/api/session',
    summary: 'Sign in; sets the session cookie and returns the CSRF token',
    tags: ['auth'],
    auth: false,
    body: z.object({ username: z.string().min(1).max(128), password: z.string().min(1).max(1024) }),
    response: MeSchema,
    handler: async ({ body }, req, reply) => {
      const now = ctx.now();
      const keys = attemptKeys(body.username, req.ip);
      // The slot is taken before the password is checked (that check is slow and async), so
      // parallel guesses cannot all slip through while the count still looks low.
      const attempt = await reserveAttempt(ctx.db, keys, ctx.config.loginRateLimit, now);
      if (attempt.refused) {
        const wait = attempt.retryAfter;
        return reply
          .code(429)
          .header('retry-after', String(wait))
          .send({ error: { code: 'rate_limited', message: `too many failed sign-ins; retry in ${wait} s` } });
      }
      const user = await findUser(ctx.db, body.username);
      // Same work and the same answer whether the user or the password was wrong.
      const ok = user
        ? await verifyPassword(body.password, user.password_hash)
        : await dummyVerify(body.password);
      // A failure keeps its reserved rows: they are the record of the failed attempt.
      if (!user || !ok) throw unauthorized('invalid username or password');
      await releaseAttempt(ctx.db, user.username, attempt.ids);
      // Told only to whoever knows the password: the account exists but may not be used.
      if (user.disabled_at !== null)
        throw forbidden('account_disabled: this account is disabled; ask an admin');
      const session = await createSession(ctx.db, user.id, now);
      reply.header('set-cookie', sessionCookie(session.cookie, { maxAge: SESSION_TTL_MS / 1000, secure }));
      return {
        user: {
          username: user.username,
          role: user.role,
          mustChangePassword: user.must_change_password === 1,
        },
        csrfToken: session.csrfToken,
      };
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'DELETE',
    url: '/api/session',
    summary: 'Sign out (idempotent); clears the session cookie',
    tags: ['auth'],
    auth: false,
    status: 204,
    handler: async (_input, req, reply) => {
      if (req.authSession) await deleteSession(ctx.db, req.authSession.id);
      reply.header('set-cookie', sessionCookie('', { maxAge: 0, secure }));
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: '/api/me',
    summary: 'The signed-in user and the CSRF token of the session',
    tags: ['auth'],
    response: MeSchema,
    handler: async (_input, req) => {
      const me = requireSignedIn(req);
      return {
        user: { username: me.username, role: me.role, mustChangePassword: me.mustChangePassword === true },
        csrfToken: req.authSession?.csrfToken ?? null,
      };
    },
  });
}
