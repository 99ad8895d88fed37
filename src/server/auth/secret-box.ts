import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { ServerConfig } from '../config.js';
import type { SecretBox } from '../services.js';
import { loadSecretKey } from './secret-key.js';

const VERSION = 'v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretBoxError extends Error {}

/** The server's SecretBox, keyed from the config or the generated key file. */
export function loadSecretBox(config: ServerConfig): SecretBox {
  return createSecretBox(loadSecretKey(config));
}

/**
 * AES-256-GCM: `v1:` + base64(iv | tag | ciphertext). A fresh random IV per seal (never reuse an
 * IV under one GCM key); the tag makes any change to the stored text fail to open instead of
 * yielding garbage. The version prefix leaves room for key rotation later.
 */
export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new SecretBoxError('the secret key must be 32 bytes');
  return {
    seal(plain) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return VERSION + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
    },
    open(sealed) {
      if (!sealed.startsWith(VERSION)) throw new SecretBoxError('sealed value has an unknown format');
      const raw = Buffer.from(sealed.slice(VERSION.length), 'base64');
      if (raw.length < IV_BYTES + TAG_BYTES) throw new SecretBoxError('sealed value is truncated');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
        decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
        return Buffer.concat([
          decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)),
          decipher.final(),
        ]).toString('utf8');
      } catch {
        // The message must not carry the data: say only what went wrong.
        throw new SecretBoxError('sealed value failed authentication (tampered, or sealed with another key)');
      }
    },
  };
}
