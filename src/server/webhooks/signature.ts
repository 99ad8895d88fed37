import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Webhook authenticity checks over the raw request bytes (security rule 3): before the body is
 * parsed, a forged request costs us one HMAC and nothing else.
 * Comparisons are constant-time. `timingSafeEqual` throws on inputs of different lengths and a
 * length check would return early, so both sides are first run through an HMAC under a random
 * per-call key: equal-length digests, equal iff the inputs are equal, and nothing learnt from
 * timing even about the length.
 */

export function constantTimeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const key = randomBytes(32);
  const digest = (value: string | Buffer) => createHmac('sha256', key).update(value).digest();
  return timingSafeEqual(digest(a), digest(b));
}

export function hmacSha256Hex(secret: string, raw: Buffer): string {
  return createHmac('sha256', secret).update(raw).digest('hex');
}

/**
 * Whether `given` (a header value) is the HMAC-SHA256 of `raw` under `secret`, written as
 * `<prefix><hex>` (GitHub: prefix `sha256=`; Gitea: no prefix). Hex case is not significant.
 */
export function hmacHeaderMatches(
  secret: string,
  raw: Buffer,
  given: string | undefined,
  prefix = '',
): boolean {
  if (secret.length === 0 || given === undefined) return false;
  return constantTimeEqual(given.trim().toLowerCase(), `${prefix}${hmacSha256Hex(secret, raw)}`);
}

/** GitLab sends the secret itself as a token header. */
export function tokenHeaderMatches(secret: string, given: string | undefined): boolean {
  if (secret.length === 0 || given === undefined) return false;
  return constantTimeEqual(given, secret);
}

/**
 * Gitee's signing-key mode: `X-Gitee-Token` is base64(HMAC-SHA256(secret, `${timestamp}\n${secret}`))
 * with the millisecond `X-Gitee-Timestamp`. The signature covers the timestamp, not the body,
 * so freshness is what limits a replay: a timestamp further than `maxSkewMs` from `now` (either
 * way) is refused. The timestamp must be plain digits (no `1e12`, no sign, no spaces).
 */
export function timestampSignatureMatches(
  secret: string,
  given: string | undefined,
  timestamp: string | undefined,
  now: number,
  maxSkewMs: number,
): boolean {
  if (secret.length === 0 || given === undefined || timestamp === undefined) return false;
  if (!/^\d{1,16}$/.test(timestamp)) return false;
  if (Math.abs(now - Number(timestamp)) > maxSkewMs) return false;
  const expected = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
  return constantTimeEqual(given.trim(), expected);
}
