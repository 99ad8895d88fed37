/**
 * The one cookie Slipway sets, parsed and written by hand: a dozen lines instead of a plugin,
 * and nothing else in the server reads cookies.
 */
export const SESSION_COOKIE = 'slipway_session';

/** Values of a `Cookie` header by name; the first occurrence wins, malformed pairs are skipped. */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const name = pair.slice(0, eq).trim();
    const value = pair
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    if (name && !cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

export interface SessionCookieOptions {
  /** Seconds until the browser drops it; 0 deletes it. */
  maxAge: number;
  /** Only over HTTPS — set when the public URL is https. */
  secure: boolean;
}

/** `HttpOnly` keeps scripts away from it; `SameSite=Lax` keeps cross-site posts from carrying it. */
export function sessionCookie(value: string, opts: SessionCookieOptions): string {
  const parts = [
    `${SESSION_COOKIE}=${value}`,
    'HttpOnly',
    'SameSite=Lax',
    'Path=/',
    `Max-Age=${opts.maxAge}`,
  ];
  if (opts.secure) parts.push('Secure');
  return parts.join('; ');
}
