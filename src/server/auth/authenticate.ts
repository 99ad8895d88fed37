import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { forbidden } from '../errors.js';
import type { Principal } from '../http/principal.js';
import { principalFromToken } from './api-tokens.js';
import { parseCookies, SESSION_COOKIE } from './cookies.js';
import type { RequestCredential } from './credential-check.js';
import { safeEqual, sha256Hex } from './credentials.js';
import { findSession } from './sessions.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The cookie session behind `principal` (null for bearer tokens): sign-out and /api/me use it. */
    authSession: { id: string; csrfToken: string } | null;
    /** What `principal` was proved with; open streams re-check it (auth/credential-check.ts). */
    authCredential: RequestCredential | null;
  }
}

/**
 * Areas with their own credentials: agents (agent tokens), git smart HTTP (Basic auth) and
 * forge webhooks (HMAC signatures), and the public collect endpoint (a site key; a signed-in
 * user's cookie rides along on beacons from other sites and must neither count nor trip CSRF).
 * A user cookie or token means nothing there.
 */
const OWN_AUTH_PREFIXES = ['/api/agent/', '/git/', '/api/hooks/', '/api/collect'];
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
export const CSRF_HEADER = 'x-csrf-token';

/**
 * Sets `req.principal` from `Authorization: Bearer slp_…` (an API token) or the session cookie.
 * Unknown credentials leave it null — routes decide with requireRole whether that is a 401.
 * Cookie-authenticated writes must echo the session's CSRF token in `X-CSRF-Token`: a cookie is
 * sent by the browser on its own, a header only by our UI. Bearer tokens are never sent
 * implicitly, so they need no CSRF token.
 */
export function installAuthentication(app: FastifyInstance, ctx: ServerContext): void {
  app.decorateRequest('principal', null);
  app.decorateRequest('authSession', null);
  app.decorateRequest('authCredential', null);
  app.addHook('onRequest', async (req) => {
    if (hasOwnAuth(req)) return;
    const now = ctx.now();
    const authorization = req.headers.authorization;
    if (authorization !== undefined) {
      // An explicit credential wins over the cookie, and a wrong one does not fall back to it.
      const token = bearerToken(authorization);
      req.principal = token
        ? await principalFromToken(ctx.db, token, now, (error) =>
            req.log.warn({ err: error }, 'could not record API token use'),
          )
        : null;
      if (token && req.principal) req.authCredential = { kind: 'token', tokenHash: sha256Hex(token) };
      return;
    }
    const cookie = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
    if (!cookie) return;
    const session = await findSession(ctx.db, cookie, now);
    if (!session) return;
    if (UNSAFE_METHODS.has(req.method)) {
      const sent = req.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !safeEqual(sent, session.csrfToken)) {
        throw forbidden('missing or wrong X-CSRF-Token header (get it from GET /api/me)');
      }
    }
    const principal: Principal = {
      userId: session.userId,
      username: session.username,
      role: session.role,
      via: 'session',
      mustChangePassword: session.mustChangePassword,
    };
    req.principal = principal;
    req.authSession = { id: session.sessionId, csrfToken: session.csrfToken };
    req.authCredential = { kind: 'session', sessionId: session.sessionId };
  });
}

/**
 * Decided on the matched route's pattern when there is one, so an odd spelling of a path cannot
 * make a user route look like an agent route; the raw path is the fallback for 404s.
 */
function hasOwnAuth(req: FastifyRequest): boolean {
  const path = req.routeOptions.url ?? req.url.split('?')[0] ?? '';
  return OWN_AUTH_PREFIXES.some((prefix) => path.startsWith(prefix));
}

function bearerToken(header: string): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? (match[1] as string) : null;
}
