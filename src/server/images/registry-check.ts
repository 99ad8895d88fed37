import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { RegistryCheckJsonType } from '../../api/images.js';
import { type OutboundPolicy, OutboundRefused } from '../git/outbound-policy.js';
import type { RegistryCredential } from './registry-service.js';

export interface RegistryCheckOptions {
  policy: OutboundPolicy;
  /** Bound of each request (the check makes at most four). */
  timeoutMs: number;
}

interface Answer {
  status: number;
  challenge: string;
}

/**
 * "Do these credentials work?": `GET /v2/` with them, as the OCI Distribution spec defines the
 * version check. Basic-auth registries (htpasswd) answer 200 or 401 directly; token registries
 * answer 401 with a Bearer challenge, and the credentials are then tried against its realm.
 * HTTPS first, then plain HTTP (as the engine does for insecure registries). Every address is
 * checked by the outbound policy (security rule 11) and the connection pinned to it; the answer
 * never contains the password.
 */
export async function checkRegistry(
  cred: RegistryCredential,
  opts: RegistryCheckOptions,
): Promise<RegistryCheckJsonType> {
  const basic = `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString('base64')}`;
  let lastError = '';
  for (const scheme of ['https', 'http'] as const) {
    const url = new URL(`${scheme}://${cred.host}/v2/`);
    let answer: Answer;
    try {
      answer = await get(url, basic, opts);
    } catch (error) {
      if (error instanceof OutboundRefused) return { result: 'refused', message: error.message };
      lastError = (error as Error).message;
      continue;
    }
    if (answer.status === 200) return { result: 'ok', message: `${cred.host} accepted the credentials` };
    if (answer.status === 401) return challenge(cred.host, answer.challenge, basic, opts);
    return { result: 'unreachable', message: `${cred.host} answered ${answer.status} to GET /v2/` };
  }
  return { result: 'unreachable', message: `cannot reach ${cred.host}: ${lastError}` };
}

async function challenge(
  host: string,
  header: string,
  basic: string,
  opts: RegistryCheckOptions,
): Promise<RegistryCheckJsonType> {
  const bearer = /^Bearer\s+(.*)$/i.exec(header);
  const realm = bearer ? /realm="([^"]+)"/i.exec(bearer[1] ?? '')?.[1] : undefined;
  if (!realm) return { result: 'unauthorized', message: `${host} refused the credentials` };
  const service = /service="([^"]+)"/i.exec(bearer?.[1] ?? '')?.[1];
  let url: URL;
  try {
    url = new URL(realm);
  } catch {
    return { result: 'unreachable', message: `${host} named a token service that is not a URL` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { result: 'unreachable', message: `${host} named a token service that is not http(s)` };
  }
  if (service) url.searchParams.set('service', service);
  try {
    const answer = await get(url, basic, opts);
    if (answer.status === 200) return { result: 'ok', message: `${host} accepted the credentials` };
    if (answer.status === 401 || answer.status === 403) {
      return { result: 'unauthorized', message: `${host} refused the credentials` };
    }
    return { result: 'unreachable', message: `the token service of ${host} answered ${answer.status}` };
  } catch (error) {
    if (error instanceof OutboundRefused) return { result: 'refused', message: error.message };
    return {
      result: 'unreachable',
      message: `cannot reach the token service of ${host}: ${(error as Error).message}`,
    };
  }
}

/** One bounded GET, connected to an address the policy allowed; the body is discarded. */
async function get(url: URL, authorization: string, opts: RegistryCheckOptions): Promise<Answer> {
  const { pinnedAddresses } = await opts.policy.check({ kind: 'http', url, authorization: null });
  const address = pinnedAddresses[0];
  const family = address !== undefined && isIP(address) === 6 ? 6 : 4;
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'GET',
        headers: { authorization, 'user-agent': 'slipway-registry-check' },
        timeout: opts.timeoutMs,
        ...(address === undefined
          ? {}
          : {
              // Connect to the checked address only: a DNS answer that changed cannot slip in.
              lookup: (
                _host: string,
                options: { all?: boolean },
                cb: (e: Error | null, a: string | { address: string; family: number }[], f?: number) => void,
              ) => (options.all ? cb(null, [{ address, family }]) : cb(null, address, family)),
            }),
      },
      (res: IncomingMessage) => {
        res.resume();
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, challenge: String(res.headers['www-authenticate'] ?? '') }),
        );
        res.on('error', reject);
      },
    );
    const timer = setTimeout(
      () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)),
      opts.timeoutMs,
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)));
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(describe(error)));
    });
    req.on('close', () => clearTimeout(timer));
    req.end();
  });
}

function describe(error: NodeJS.ErrnoException): string {
  if (error.code === 'ECONNREFUSED') return 'connection refused';
  if (error.code === 'ENOTFOUND') return 'unknown host';
  if (error.code === 'EPROTO' || /SSL|TLS|wrong version/i.test(error.message)) return 'no TLS on this port';
  return error.code ?? error.message;
}
