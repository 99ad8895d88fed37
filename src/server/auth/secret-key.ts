import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerConfig } from '../config.js';

const KEY_BYTES = 32;
export const KEY_FILE = 'secret.key';

export class SecretKeyError extends Error {}

/**
 * The server's 32-byte key for secrets at rest: SLIPWAY_SECRET_KEY when set (hex or base64),
 * otherwise `<dataDir>/secret.key`, generated on first start with mode 0600. Losing the file
 * makes every stored secret unreadable, which is why it lives beside the database (one backup).
 */
export function loadSecretKey(config: Pick<ServerConfig, 'secretKey' | 'dataDir'>): Buffer {
  if (config.secretKey !== null) return decodeKey(config.secretKey, 'SLIPWAY_SECRET_KEY');
  const path = join(config.dataDir, KEY_FILE);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  try {
    // `wx` fails when the file exists, so two servers starting at once never overwrite a key.
    writeFileSync(path, `${randomBytes(KEY_BYTES).toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
    chmodSync(path, 0o600); // the umask may have widened the mode given to open()
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return decodeKey(readFileSync(path, 'utf8').trim(), path);
}

function decodeKey(text: string, source: string): Buffer {
  const value = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) {
    const key = Buffer.from(value, value.includes('-') || value.includes('_') ? 'base64url' : 'base64');
    if (key.length === KEY_BYTES) return key;
  }
  // Never echo the value: it is (a mistyped) key.
  throw new SecretKeyError(
    `${source}: the secret key must be 32 bytes written as 64 hex characters or base64 ` +
      `(generate one with: openssl rand -hex 32)`,
  );
}
