/**
 * A project's remote URL split into what git may see and what it must not keep. Credentials in
 * `https://user:token@host/repo.git` are taken out of the URL and sent per fetch as an
 * `Authorization` header (through the environment, see mirror-fetch.ts), so they never land in
 * the mirror's config, FETCH_HEAD, the process list or an error message.
 */

export type RemoteLocation =
  | { kind: 'http'; url: URL; authorization: string | null }
  | { kind: 'file'; path: string };

export class RemoteUrlError extends Error {}

export function parseRemoteUrl(text: string): RemoteLocation {
  const trimmed = text.trim();
  if (trimmed.startsWith('/')) return { kind: 'file', path: trimmed };
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new RemoteUrlError('the remote URL is not a URL (use https://…)');
  }
  if (url.protocol === 'file:') {
    if (url.host !== '') throw new RemoteUrlError('file URLs must name a local path');
    return { kind: 'file', path: decodeURIComponent(url.pathname) };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new RemoteUrlError(`remote URLs must use https or http, not ${url.protocol.replace(':', '')}`);
  }
  const authorization =
    url.username || url.password
      ? `Basic ${Buffer.from(
          `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`,
        ).toString('base64')}`
      : null;
  const clean = new URL(url.href);
  clean.username = '';
  clean.password = '';
  clean.hash = '';
  return { kind: 'http', url: clean, authorization };
}

/** The URL for logs and messages: never with its credentials. */
export function redactRemoteUrl(text: string): string {
  try {
    const location = parseRemoteUrl(text);
    return location.kind === 'file' ? location.path : location.url.href;
  } catch {
    return '(invalid remote URL)';
  }
}
