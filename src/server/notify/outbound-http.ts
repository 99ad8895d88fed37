import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import type { OutboundPolicy } from '../git/outbound-policy.js';

export interface OutboundResponse {
  status: number;
  /** The first 4 KiB of the answer, for the delivery log and error-code checks. */
  text: string;
}

const MAX_ANSWER = 4096;

/**
 * One POST (or other method) to a user-chosen URL under the outbound policy (security rule 11):
 * the host is checked first, and the connection goes to the addresses that were checked (a
 * `lookup` that answers with them), so a DNS answer changing in between cannot point the
 * request at loopback or the LAN. Redirects are not followed (a 3xx is the answer), the answer
 * is cut at 4 KiB, and the whole exchange is bounded by `timeoutMs`.
 */
export async function sendOutbound(
  policy: OutboundPolicy,
  opts: { method?: string; url: string; headers: Record<string, string>; body: string; timeoutMs: number },
): Promise<OutboundResponse> {
  const url = new URL(opts.url);
  const { pinnedAddresses } = await policy.check({ kind: 'http', url, authorization: null });
  const pinned = pinnedAddresses[0];
  const lookup: LookupFunction | undefined =
    pinned === undefined
      ? undefined
      : (_host, options, callback) => {
          const family = isIP(pinned);
          if ((options as { all?: boolean }).all) callback(null, [{ address: pinned, family }]);
          else callback(null, pinned, family);
        };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const body = Buffer.from(opts.body, 'utf8');
  return new Promise<OutboundResponse>((resolve, reject) => {
    const req = send(
      url,
      {
        method: opts.method ?? 'POST',
        headers: { 'user-agent': 'Slipway', ...opts.headers, 'content-length': String(body.length) },
        timeout: opts.timeoutMs,
        ...(lookup ? { lookup } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size < MAX_ANSWER) chunks.push(chunk);
          size += chunk.length;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            text: Buffer.concat(chunks).subarray(0, MAX_ANSWER).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
