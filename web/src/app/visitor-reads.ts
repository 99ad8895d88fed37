/**
 * Whether this server lets visitors who are not signed in read public projects
 * (SLIPWAY_ALLOW_PUBLIC_PROJECTS). The server answers the project list without credentials
 * exactly then (200, filtered to public projects) and 401 otherwise, so the list itself is the
 * question: asked without the session cookie, so a signed-in browser gets the visitor's answer.
 * A network failure counts as "no": the sign-in page, as before public projects existed.
 */
export async function visitorsMayRead(): Promise<boolean> {
  try {
    const res = await fetch('/api/projects', {
      credentials: 'omit',
      headers: { accept: 'application/json' },
    });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * Where to go after signing in, from `?next=` on /sign-in: only a path of this site (one leading
 * slash, never `//host` or a scheme), so a crafted link cannot send the user elsewhere.
 */
export function safeReturnPath(raw: string | null): string {
  if (!raw?.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return '/';
  if (raw.startsWith('/sign-in')) return '/';
  return raw;
}

/** The /sign-in link that comes back to `path` (the page the visitor is on). */
export function signInHref(path: string): string {
  return path === '/' ? '/sign-in' : `/sign-in?next=${encodeURIComponent(path)}`;
}
