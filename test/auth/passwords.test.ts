import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hashPassword, verifyPassword } from '../../src/server/auth/passwords.js';

describe('password hashes', () => {
  test('scrypt$N$r$p$salt$hash with a per-user salt; verify accepts only the password', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    assert.match(a, /^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    assert.notEqual(a, b, 'salted');
    assert.equal(await verifyPassword('correct horse battery', a), true);
    assert.equal(await verifyPassword('correct horse batterY', a), false);
  });

  test('anything that is not a scrypt hash never verifies', async () => {
    assert.equal(await verifyPassword('x', '!'), false);
    assert.equal(await verifyPassword('x', 'scrypt$99999999$8$1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA'), false);
  });
});
