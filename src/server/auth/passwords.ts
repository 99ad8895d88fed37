import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Password hashes: scrypt with a per-user random salt, stored as `scrypt$N$r$p$salt$hash`
 * (base64url salt and hash) so the cost can be raised later without breaking old hashes.
 * N=2^15, r=8 costs ~32 MiB and tens of milliseconds: slow for a guesser, fine for a login.
 */
const COST = { N: 2 ** 15, r: 8, p: 1 };
const KEY_BYTES = 32;
const SALT_BYTES = 16;
/** Parameters read back from storage are bounded, so a corrupt row cannot pin the CPU or memory. */
const MAX_N = 2 ** 20;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, COST);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

/** False for a wrong password and for anything that is not a scrypt hash (e.g. a disabled `!`). */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parsed = parse(encoded);
  if (!parsed) {
    // Spend the same time as a real check so a disabled account does not answer faster.
    await derive(password, randomBytes(SALT_BYTES), COST);
    return false;
  }
  const actual = await derive(password, parsed.salt, parsed.cost, parsed.hash.length);
  return timingSafeEqual(actual, parsed.hash);
}

/** Burns one hash's worth of time: used when the username does not exist, to hide that. */
export async function dummyVerify(password: string): Promise<false> {
  await derive(password, randomBytes(SALT_BYTES), COST);
  return false;
}

interface Cost {
  N: number;
  r: number;
  p: number;
}

function parse(encoded: string): { cost: Cost; salt: Buffer; hash: Buffer } | null {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const valid =
    Number.isInteger(N) &&
    N > 1 &&
    N <= MAX_N &&
    (N & (N - 1)) === 0 &&
    r >= 1 &&
    r <= 32 &&
    p >= 1 &&
    p <= 16;
  if (!valid) return null;
  const salt = Buffer.from(parts[4] as string, 'base64url');
  const hash = Buffer.from(parts[5] as string, 'base64url');
  if (salt.length < 8 || hash.length < 16) return null;
  return { cost: { N, r, p }, salt, hash };
}

function derive(password: string, salt: Buffer, cost: Cost, length = KEY_BYTES): Promise<Buffer> {
  // scrypt needs 128·N·r bytes; node's default cap is 32 MiB, exactly our cost, so give headroom.
  const options: ScryptOptions = { ...cost, maxmem: 256 * cost.N * cost.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, length, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}
