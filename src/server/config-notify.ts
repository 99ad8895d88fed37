import { z } from 'zod';
import { parseDuration } from '../domain/duration.js';

/**
 * The settings of notifications, commit statuses and sign-in providers (issue #15), part of the
 * server's one config (config.ts reads the environment and spreads this schema into its own).
 */
const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === null) {
        ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration (write 30s, 10m, 1h)` });
        return z.NEVER;
      }
      return ms;
    });

const providerId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'lowercase letters, digits and -');
const url = z.string().url();

/**
 * One sign-in provider. `oidc` (Keycloak, Casdoor, Authing, and GitLab or Gitea, which speak
 * OpenID Connect) needs `issuer` (discovery); `github` and `gitee` are OAuth2 without discovery:
 * their endpoints are known, and `baseUrl` points at GitHub Enterprise or a private Gitee.
 */
export const oidcProviderSchema = z.object({
  id: providerId,
  kind: z.enum(['oidc', 'github', 'gitee', 'gitlab', 'gitea']),
  /** The button's label; default from the kind. */
  name: z.string().min(1).max(60).optional(),
  issuer: url.optional(),
  baseUrl: url.optional(),
  /** Override of the API base (GitHub Enterprise `https://host/api/v3`; tests). */
  apiUrl: url.optional(),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  scopes: z.array(z.string().min(1)).optional(),
  /** Role of a user this provider creates on first sign-in. */
  defaultRole: z.enum(['viewer', 'maintainer', 'admin']).default('viewer'),
  /** false: only existing users who linked this provider may sign in with it. */
  allowSignUp: z.boolean().default(true),
});
export type OidcProviderConfig = z.infer<typeof oidcProviderSchema>;

const providers = z
  .string()
  .default('[]')
  .transform((text, ctx) => {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON array of providers' });
      return z.NEVER;
    }
    const parsed = z.array(oidcProviderSchema).safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      ctx.addIssue({ code: 'custom', message: `[${issue?.path.join('.')}]: ${issue?.message}` });
      return z.NEVER;
    }
    for (const p of parsed.data) {
      if ((p.kind === 'oidc' || p.kind === 'gitlab' || p.kind === 'gitea') && !p.issuer && !p.baseUrl) {
        ctx.addIssue({
          code: 'custom',
          message: `provider ${p.id}: ${p.kind} needs "issuer" (or "baseUrl")`,
        });
        return z.NEVER;
      }
    }
    if (new Set(parsed.data.map((p) => p.id)).size !== parsed.data.length) {
      ctx.addIssue({ code: 'custom', message: 'provider ids must be unique' });
      return z.NEVER;
    }
    return parsed.data;
  });

export const notifyConfigSchema = {
  /** First retry of a failed notification or commit status; each next one waits 4× longer. */
  SLIPWAY_DELIVERY_RETRY_BASE: duration('30s'),
  /** Attempts before a notification or commit status is given up (shown failed in the log). */
  SLIPWAY_DELIVERY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(6),
  /** How long one attempt may take. */
  SLIPWAY_DELIVERY_TIMEOUT: duration('10s'),
  /** Sign-in providers, a JSON array (see oidcProviderSchema). */
  SLIPWAY_OIDC_PROVIDERS: providers,
};

export interface NotifyConfig {
  retryBaseMs: number;
  maxAttempts: number;
  timeoutMs: number;
  oidcProviders: OidcProviderConfig[];
}

export function notifyConfigOf(c: {
  SLIPWAY_DELIVERY_RETRY_BASE: number;
  SLIPWAY_DELIVERY_MAX_ATTEMPTS: number;
  SLIPWAY_DELIVERY_TIMEOUT: number;
  SLIPWAY_OIDC_PROVIDERS: OidcProviderConfig[];
}): NotifyConfig {
  return {
    retryBaseMs: c.SLIPWAY_DELIVERY_RETRY_BASE,
    maxAttempts: c.SLIPWAY_DELIVERY_MAX_ATTEMPTS,
    timeoutMs: c.SLIPWAY_DELIVERY_TIMEOUT,
    oidcProviders: c.SLIPWAY_OIDC_PROVIDERS,
  };
}
