import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createSecretBox } from '../../src/server/auth/secret-box.js';
import { loadSecretKey } from '../../src/server/auth/secret-key.js';

describe('secret box (AES-256-GCM at rest)', () => {
  const box = createSecretBox(randomBytes(32));

  test('seal/open round-trips; every seal uses a fresh IV', () => {
    const a = box.seal('hunter2-hunter2');
    const b = box.seal('hunter2-hunter2');
    assert.match(a, /^v1:[A-Za-z0-9+/=]+$/);
    assert.notEqual(a, b);
    assert.ok(!a.includes('hunter2'));
    assert.equal(box.open(a), 'hunter2-hunter2');
  });

  test('tampered or foreign data fails with a message that carries no data', () => {
    const sealed = box.seal('top-secret-value');
    const raw = Buffer.from(sealed.slice(3), 'base64');
    raw[raw.length - 1] = (raw[raw.length - 1] as number) ^ 1;
    const tampered = `v1:${raw.toString('base64')}`;
    assert.throws(
      () => box.open(tampered),
      (e: Error) => /failed authentication/.test(e.message) && !e.message.includes(tampered),
    );
    assert.throws(() => createSecretBox(randomBytes(32)).open(sealed), /failed authentication/);
    assert.throws(() => box.open('plain text'), /unknown format/);
    assert.throws(() => box.open('v1:AAAA'), /truncated/);
  });
});

describe('secret key', () => {
  test('accepts 32 bytes as hex or base64 and refuses anything else without echoing it', () => {
    const key = randomBytes(32);
    assert.deepEqual(loadSecretKey({ secretKey: key.toString('hex'), dataDir: '/nonexistent' }), key);
    assert.deepEqual(loadSecretKey({ secretKey: key.toString('base64'), dataDir: '/nonexistent' }), key);
    assert.deepEqual(loadSecretKey({ secretKey: key.toString('base64url'), dataDir: '/nonexistent' }), key);
    const bad = 'not-a-key-but-maybe-a-password';
    assert.throws(
      () => loadSecretKey({ secretKey: bad, dataDir: '/nonexistent' }),
      (e: Error) => /SLIPWAY_SECRET_KEY.*32 bytes/.test(e.message) && !e.message.includes(bad),
    );
    assert.throws(
      () => loadSecretKey({ secretKey: randomBytes(16).toString('hex'), dataDir: '/x' }),
      /32 bytes/,
    );
  });

  test('without a configured key, one is generated once into <dataDir>/secret.key (mode 0600)', () => {
    const root = mkdtempSync(join(tmpdir(), 'slipway-key-'));
    try {
      const dataDir = join(root, 'nested', 'data');
      const first = loadSecretKey({ secretKey: null, dataDir });
      const path = join(dataDir, 'secret.key');
      assert.equal(statSync(path).mode & 0o777, 0o600);
      assert.equal(readFileSync(path, 'utf8').trim(), first.toString('hex'));
      assert.deepEqual(loadSecretKey({ secretKey: null, dataDir }), first, 'reused on the next start');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
