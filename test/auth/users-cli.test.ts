import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { login } from '../support/session-client.js';

/** `slipway users …` and `slipway passwd` against a real server (in-process CLI). */
let t: TestServer;

async function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, {
    stdout: (s) => {
      out += s;
    },
    stderr: (s) => {
      err += s;
    },
    cwd: process.cwd(),
    env: { SLIPWAY_SERVER: t.url, SLIPWAY_TOKEN: t.adminToken, HOME: '/nonexistent', ...env },
    color: false,
  });
  return { code, out, err };
}

before(async () => {
  t = await startTestServer();
});
after(async () => {
  await t.close();
});

test('an admin adds, lists, disables and removes users; invites print a one-time link', async () => {
  const add = await cli(['users', 'add', 'kim', '--role', 'maintainer', '--must-change'], {
    SLIPWAY_USER_PASSWORD: 'kims-first-password',
  });
  assert.equal(add.code, 0, add.err);
  assert.match(add.out, /kim\s+maintainer\s+must change password/);
  const ls = await cli(['users']);
  assert.match(ls.out, /^USER\s+ROLE\s+STATE$/m);
  assert.match(ls.out, /^kim\s+maintainer\s+must change password$/m);
  assert.equal((await cli(['users', 'disable', 'kim'])).code, 0);
  assert.equal((await login(t, 'kim', 'kims-first-password')).status, 403);
  assert.equal((await cli(['users', 'enable', 'kim'])).code, 0);
  const invite = await cli(['users', 'invite', '--role', 'viewer', '--hours', '2']);
  assert.equal(invite.code, 0, invite.err);
  assert.match(invite.out, new RegExp(`^${t.url}/invite/[A-Za-z0-9_-]{20,}$`, 'm'));
  const bad = await cli(['users', 'role', 'kim', 'owner']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /400/);
  assert.equal((await cli(['users', 'rm', 'kim'])).code, 0);
  assert.doesNotMatch((await cli(['users'])).out, /^kim/m);
});

test('passwd with --username replaces a password that must be changed (no token works before that)', async () => {
  await cli(['users', 'add', 'lou', '--role', 'viewer', '--must-change'], {
    SLIPWAY_USER_PASSWORD: 'lous-first-password',
  });
  const changed = await cli(['passwd', '--username', 'lou'], {
    SLIPWAY_PASSWORD: 'lous-first-password',
    SLIPWAY_NEW_PASSWORD: 'lous-own-password-2',
  });
  assert.equal(changed.code, 0, changed.err);
  assert.equal((await login(t, 'lou', 'lous-own-password-2')).status, 200);
  const wrong = await cli(['passwd', '--username', 'lou'], {
    SLIPWAY_PASSWORD: 'not-lous-password',
    SLIPWAY_NEW_PASSWORD: 'whatever-password-3',
  });
  assert.equal(wrong.code, 2);
  assert.match(wrong.err, /sign-in refused: 401/);
  const help = await cli(['passwd', '--help']);
  assert.match(help.out, /usage: slipway passwd/);
});
