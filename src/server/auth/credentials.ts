import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The shapes of Slipway's bearer secrets. Only their sha256 is stored, so a leaked database does
 * not hand out working credentials; a lookup by hash is as good as a constant-time compare
 * because the attacker cannot choose the hash.
 */
export const API_TOKEN_PREFIX = 'slp_';

/** `slp_` + 32 random bytes, base64url — the prefix lets secret scanners recognise a leak. */
export function newApiToken(): string {
  return `${API_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** An opaque random value for cookies, CSRF tokens and webhook secrets. */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/**
 * Constant-time equality of two strings of any length: comparing fixed-size digests means a
 * length mismatch neither throws (as timingSafeEqual would) nor returns early.
 */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}
