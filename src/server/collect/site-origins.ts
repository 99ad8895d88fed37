import { z } from 'zod';

/**
 * The origins a site accepts events from, each optionally mapped to an environment of the
 * application (`https://staging.example.com` → staging). Stored as JSON in
 * `collect_sites.origins`; an origin without an environment means the production environment.
 */
export interface SiteOrigin {
  origin: string;
  environment: string | null;
}

/** `scheme://host[:port]` only: what a browser sends in its `Origin` header. */
export const originText = z
  .string()
  .max(200)
  .transform((text, ctx) => {
    const normal = normalOrigin(text);
    if (!normal) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not an origin like https://app.example.com` });
      return z.NEVER;
    }
    return normal;
  });

export const siteOriginSchema = z
  .object({
    origin: originText,
    environment: z.string().min(1).max(63).nullable().default(null),
  })
  .strict();

/** The origin of `text` (lowercase host, no default port), or null when it is not an http(s) origin. */
export function normalOrigin(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username || url.password) return null;
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) return null;
  return url.origin;
}

/** Reads the stored JSON; plain strings (an origin without environment) are accepted too. */
export function parseOrigins(json: string): SiteOrigin[] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return [];
  }
  if (!Array.isArray(value)) return [];
  const out: SiteOrigin[] = [];
  for (const item of value) {
    if (typeof item === 'string') out.push({ origin: item, environment: null });
    else if (item && typeof item === 'object' && typeof (item as SiteOrigin).origin === 'string') {
      const env = (item as SiteOrigin).environment;
      out.push({ origin: (item as SiteOrigin).origin, environment: typeof env === 'string' ? env : null });
    }
  }
  return out;
}
