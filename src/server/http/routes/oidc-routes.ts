import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as client from 'openid-client';
import { z } from 'zod';
import { parseCookies, sessionCookie } from '../../auth/cookies.js';
import { SignInRefused, userForIdentity } from '../../auth/oidc/identities.js';
import { SignInProvider } from '../../auth/oidc/sign-in-providers.js';
import { createSession, SESSION_TTL_MS } from '../../auth/sessions.js';
import type { ServerContext } from '../../context.js';
import { notFound } from '../../errors.js';
import { defineRoute } from '../define-route.js';

const FLOW_COOKIE = 'slipway_oidc';
const FLOW_PATH = '/api/auth/oidc';
const FLOW_TTL_S = 600;

/** What the browser carries between start and callback, sealed with the server key. */
const flowSchema = z.object({
  provider: z.string(),
  state: z.string(),
  nonce: z.string(),
  verifier: z.string(),
  /** The signed-in user who asked to link this provider, or null for a sign-in. */
  linkUserId: z.string().nullable(),
  returnTo: z.string(),
  expiresAt: z.number(),
});

const ProviderParam = z.object({ provider: z.string().max(32) });

/**
 * Sign-in with a forge or an OpenID Connect provider (SLIPWAY_OIDC_PROVIDERS):
 * `GET /api/auth/providers` lists the buttons; `…/oidc/:provider/start` sends the browser to the
 * provider with a fresh state, nonce and PKCE challenge kept in a sealed, HttpOnly, 10-minute
 * cookie; `…/callback` checks them (openid-client), finds or creates the user
 * (auth/oidc/identities.ts), opens a session as the password sign-in does and returns to the UI.
 * Failures come back to `/?signin_error=<code>`, never as a stack trace.
 */
export function registerOidcRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const providers = new Map(ctx.config.notify.oidcProviders.map((p) => [p.id, new SignInProvider(p)]));
  const secure = ctx.config.publicUrl?.startsWith('https:') ?? false;
  const providerOf = (id: string) => {
    const provider = providers.get(id);
    if (!provider) throw notFound(`sign-in provider "${id}"`);
    return provider;
  };
  const redirectUri = (req: FastifyRequest, id: string) =>
    `${ctx.config.publicUrl ?? `${req.protocol}://${req.host}`}${FLOW_PATH}/${id}/callback`;
  const flowCookie = (value: string, maxAge: number) =>
    `${FLOW_COOKIE}=${value}; HttpOnly; SameSite=Lax; Path=${FLOW_PATH}; Max-Age=${maxAge}${secure ? '; Secure' : ''}`;

  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: '/api/auth/providers',
    summary: 'Sign-in providers configured on this server (the buttons of the sign-in page)',
    tags: ['auth'],
    auth: false,
    response: z.array(z.object({ id: z.string(), name: z.string(), kind: z.string() })),
    handler: async () =>
      [...providers.values()].map((p) => ({ id: p.config.id, name: p.label, kind: p.config.kind })),
  });

  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: `${FLOW_PATH}/:provider/start`,
    summary: 'Begin sign-in (or, when signed in with link=1, linking) with a provider: redirects there',
    tags: ['auth'],
    auth: false,
    params: ProviderParam,
    query: z.object({ link: z.enum(['0', '1']).optional(), returnTo: z.string().max(500).optional() }),
    handler: async ({ params, query }, req, reply) => {
      const provider = providerOf(params.provider);
      const link = query.link === '1' && req.principal?.via === 'session' ? req.principal.userId : null;
      // Only a path of this UI: never an open redirect to another site.
      const returnTo =
        query.returnTo?.startsWith('/') && !query.returnTo.startsWith('//') ? query.returnTo : '/';
      const flow = {
        provider: provider.config.id,
        state: client.randomState(),
        nonce: client.randomNonce(),
        verifier: client.randomPKCECodeVerifier(),
        linkUserId: link,
        returnTo,
        expiresAt: ctx.now() + FLOW_TTL_S * 1000,
      };
      let target: URL;
      try {
        target = await provider.authorizationUrl(
          redirectUri(req, provider.config.id),
          flow.state,
          flow.nonce,
          flow.verifier,
        );
      } catch (error) {
        req.log.warn({ err: error, provider: provider.config.id }, 'sign-in provider unreachable');
        return reply.redirect('/?signin_error=provider_unavailable', 302);
      }
      reply.header('set-cookie', flowCookie(ctx.secretBox.seal(JSON.stringify(flow)), FLOW_TTL_S));
      return reply.redirect(target.href, 302);
    },
  });

  defineRoute(app, ctx.routes, {
    method: 'GET',
    url: `${FLOW_PATH}/:provider/callback`,
    summary: 'Where the provider sends the browser back; opens a session and returns to the UI',
    tags: ['auth'],
    auth: false,
    params: ProviderParam,
    handler: async ({ params }, req, reply) => {
      const provider = providerOf(params.provider);
      const fail = (code: string) => {
        reply.header('set-cookie', flowCookie('', 0));
        return reply.redirect(`/?signin_error=${code}`, 302);
      };
      const flow = readFlow(ctx, req);
      if (!flow || flow.provider !== provider.config.id || flow.expiresAt < ctx.now())
        return fail('flow_expired');
      const callbackUrl = new URL(req.url, redirectUri(req, provider.config.id));
      if (callbackUrl.searchParams.get('error')) return fail('provider_denied');
      let identity: Awaited<ReturnType<SignInProvider['finish']>>;
      try {
        identity = await provider.finish(callbackUrl, redirectUri(req, provider.config.id), flow);
      } catch (error) {
        req.log.warn({ err: error, provider: provider.config.id }, 'sign-in with provider failed');
        return fail('provider_error');
      }
      try {
        const user = await userForIdentity(ctx.db, provider.config, identity, flow.linkUserId, ctx.now());
        if (user.disabled_at) return fail('account_disabled');
        const session = await createSession(ctx.db, user.id, ctx.now());
        return done(
          reply,
          [flowCookie('', 0), sessionCookie(session.cookie, { maxAge: SESSION_TTL_MS / 1000, secure })],
          flow.returnTo,
        );
      } catch (error) {
        if (error instanceof SignInRefused) return fail(error.code);
        throw error;
      }
    },
  });
}

function readFlow(ctx: ServerContext, req: FastifyRequest): z.infer<typeof flowSchema> | null {
  const sealed = parseCookies(req.headers.cookie).get(FLOW_COOKIE);
  if (!sealed) return null;
  try {
    const parsed = flowSchema.safeParse(JSON.parse(ctx.secretBox.open(sealed)));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function done(reply: FastifyReply, cookies: string[], returnTo: string) {
  reply.header('set-cookie', cookies);
  return reply.redirect(returnTo, 302);
}
