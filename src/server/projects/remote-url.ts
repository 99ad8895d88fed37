import { parseRemoteUrl, RemoteUrlError } from '../git/remote-url.js';

/**
 * Why a remote repository URL may not be stored, or null. The syntax rules are the git
 * source's own (parseRemoteUrl), so the API never accepts a URL the fetcher would reject.
 * Credentials in the URL are refused here: `projects.remote_url` is stored in clear and shown
 * by the API, and secrets must be sealed at rest (security rule 6).
 * Where the URL may point (rule 11: no loopback/private hosts unless allowlisted) is checked by
 * the git source's outbound policy on every fetch, against the address it actually connects to;
 * a check here would only race DNS.
 */
export function remoteUrlProblem(text: string): string | null {
  let location: ReturnType<typeof parseRemoteUrl>;
  try {
    location = parseRemoteUrl(text);
  } catch (error) {
    if (error instanceof RemoteUrlError) return error.message;
    throw error;
  }
  if (location.kind === 'http' && location.authorization !== null) {
    return 'must not contain credentials (they would be stored in clear)';
  }
  return null;
}
