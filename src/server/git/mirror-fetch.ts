import { isIP } from 'node:net';
import type { Forge } from '../store/tables.js';
import { gitOk } from './git-cli.js';
import type { RemoteLocation } from './remote-url.js';

/**
 * One `git fetch --prune` of a remote into its mirror. Everything about the remote is per call,
 * through `GIT_CONFIG_*` environment variables: the mirror's config never holds the URL, and
 * never its credentials (security rule 8). Besides the credentials header, each fetch:
 *   - connects only to the addresses the outbound policy checked (curl's resolve list);
 *   - follows no redirect (a redirect could lead to an address the policy would refuse);
 *   - may use only the one transport the URL names (no ext::, no surprise file://).
 */

export interface MirrorFetchOptions {
  pinnedAddresses: string[];
  forge: Forge | null;
  timeoutMs: number;
}

/** Branches, tags, and the refs where forges keep pull request heads (fork PRs live only there). */
export function mirrorRefspecs(forge: Forge | null): string[] {
  const specs = ['+refs/heads/*:refs/heads/*', '+refs/tags/*:refs/tags/*'];
  if (forge === 'github' || forge === 'gitea' || forge === 'gitee')
    specs.push('+refs/pull/*/head:refs/pull/*/head');
  if (forge === 'gitlab') specs.push('+refs/merge-requests/*/head:refs/merge-requests/*/head');
  return specs;
}

export async function fetchMirror(
  gitDir: string,
  location: RemoteLocation,
  opts: MirrorFetchOptions,
): Promise<void> {
  const config: [string, string][] = [
    ['protocol.allow', 'never'],
    ['credential.helper', ''],
    ['http.followRedirects', 'false'],
  ];
  let source: string;
  if (location.kind === 'file') {
    config.push(['protocol.file.allow', 'always']);
    source = location.path;
  } else {
    const scheme = location.url.protocol.replace(':', '');
    config.push([`protocol.${scheme}.allow`, 'always']);
    if (location.authorization) config.push(['http.extraHeader', `Authorization: ${location.authorization}`]);
    const pin = resolvePin(location.url, opts.pinnedAddresses);
    if (pin) config.push(['http.curloptResolve', pin]);
    source = location.url.href;
  }
  await gitOk(
    [
      'fetch',
      '--prune',
      '--quiet',
      '--no-write-fetch-head',
      '--no-auto-gc',
      '--end-of-options',
      source,
      ...mirrorRefspecs(opts.forge),
    ],
    { env: { GIT_DIR: gitDir, ...configEnv(config) }, timeoutMs: opts.timeoutMs },
  );
}

/** `host:port:addr[,addr]` for curl; none needed when the URL already names an address. */
function resolvePin(url: URL, addresses: string[]): string | null {
  const host = url.hostname;
  if (addresses.length === 0 || isIP(host.replace(/^\[|\]$/g, '')) !== 0) return null;
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const list = addresses.map((a) => (isIP(a) === 6 ? `[${a}]` : a)).join(',');
  return `${host}:${port}:${list}`;
}

/** git ≥ 2.31 reads `GIT_CONFIG_COUNT` / `GIT_CONFIG_KEY_n` / `GIT_CONFIG_VALUE_n`. */
function configEnv(pairs: [string, string][]): Record<string, string> {
  const env: Record<string, string> = { GIT_CONFIG_COUNT: String(pairs.length) };
  pairs.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  return env;
}
