/**
 * Sign-in as a browser does it: cookie attributes, CSRF on cookie writes, no CSRF for bearer
 * tokens, one answer for every wrong credential, and the failed-login rate limit.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../support/server.js';
import { createUser, login, signIn } from '../support/session-client.js';

const PASSWORD = 'a-long-enough-password';

describe('sessions', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ SLIPWAY_LOGIN_RATE_LIMIT: '1000' });
    await createUser(t, 'mia', PASSWORD, 'maintainer');
  });
  after(() => t.close());

  test('sign-in sets an HttpOnly, SameSite session cookie and returns the CSRF token', async () => {
    const s = await signIn(t, 'mia', PASSWORD);
    assert.match(s.setCookie, /^slipway_session=[A-Za-z0-9_-]{40,};/);
    assert.match(s.setCookie, /; HttpOnly/);
    assert.match(s.setCookie, /; SameSite=Lax/);
    assert.match(s.setCookie, /; Path=\//);
    assert.doesNotMatch(s.setCookie, /Secure/, 'plain http without a public https URL');
    const me = await s.fetch('/api/me');
    assert.equal(me.status, 200);
    assert.deepEqual(await me.json(), {
      user: { username: 'mia', role: 'maintainer', mustChangePassword: false },
      csrfToken: s.csrfToken,
    });
    const stored = await t.server.ctx.db.selectFrom('sessions').select('id').execute();
    assert.ok(!stored.some((r) => s.cookie.includes(r.id)), 'only the hash of the cookie is stored');
  });

  test('a cookie write needs X-CSRF-Token: 403 without or with a wrong one, done with the right one', async () => {
    const s = await signIn(t, 'mia', PASSWORD);
    const body = JSON.stringify({ name: 'csrf-check' });
    const without = await s.fetch('/api/tokens', { method: 'POST', body });
    assert.equal(without.status, 403);
    assert.match(((await without.json()) as { error: { message: string } }).error.message, /CSRF/);
    const wrong = await s.fetch('/api/tokens', { method: 'POST', body, headers: { 'x-csrf-token': 'nope' } });
    assert.equal(wrong.status, 403);
    const right = await s.fetch('/api/tokens', { method: 'POST', body, csrf: true });
    assert.equal(right.status, 201);
    assert.equal((await s.fetch('/api/tokens')).status, 200, 'reads need no CSRF token');
  });

  test('bearer tokens need no CSRF token, and /api/me has none for them', async () => {
    const res = await t.api('/api/tokens', { method: 'POST', body: JSON.stringify({ name: 'ci' }) });
    assert.equal(res.status, 201);
    const me = (await (await t.api('/api/me')).json()) as { csrfToken: unknown };
    assert.equal(me.csrfToken, null);
  });

  test('a wrong password and an unknown user get the same 401', async () => {
    const wrongPassword = await login(t, 'mia', 'not-the-password');
    const unknownUser = await login(t, 'nobody', PASSWORD);
    assert.equal(wrongPassword.status, 401);
    assert.equal(unknownUser.status, 401);
    assert.deepEqual(await wrongPassword.json(), await unknownUser.json());
    assert.equal(wrongPassword.headers.get('set-cookie'), null);
  });

  test('sign-out deletes the session (CSRF-protected) and clears the cookie', async () => {
    const s = await signIn(t, 'mia', PASSWORD);
    assert.equal((await s.fetch('/api/session', { method: 'DELETE' })).status, 403);
    const out = await s.fetch('/api/session', { method: 'DELETE', csrf: true });
    assert.equal(out.status, 204);
    assert.match(out.headers.get('set-cookie') ?? '', /slipway_session=; .*Max-Age=0/);
    assert.equal((await s.fetch('/api/me')).status, 401, 'the old cookie is dead');
  });

  test('a new password signs the user out everywhere', async () => {
    await createUser(t, 'pat', PASSWORD, 'viewer');
    const s = await signIn(t, 'pat', PASSWORD);
    const res = await t.api('/api/users/pat', {
      method: 'PATCH',
      body: JSON.stringify({ password: `${PASSWORD}-2` }),
    });
    assert.equal(res.status, 200);
    assert.equal((await s.fetch('/api/me')).status, 401);
    assert.equal((await login(t, 'pat', `${PASSWORD}-2`)).status, 200);
  });

  test('requests to agent, git and webhook paths are not authenticated as users', async () => {
    const s = await signIn(t, 'mia', PASSWORD);
    // A cookie write there would otherwise be refused for a missing CSRF token; it is simply ignored.
    const res = await s.fetch('/api/hooks/x/github', { method: 'POST', body: '{}' });
    assert.notEqual(res.status, 403);
  });
});

describe('sign-in rate limit', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ SLIPWAY_LOGIN_RATE_LIMIT: '3' });
    await createUser(t, 'rita', PASSWORD, 'viewer');
    await createUser(t, 'sam', PASSWORD, 'viewer');
  });
  after(() => t.close());

  test('a success clears the account’s failures', async () => {
    assert.equal((await login(t, 'sam', 'wrong-1')).status, 401);
    assert.equal((await login(t, 'sam', 'wrong-2')).status, 401);
    assert.equal((await login(t, 'sam', PASSWORD)).status, 200);
    const left = await t.server.ctx.db
      .selectFrom('login_attempts')
      .selectAll()
      .where('key', '=', 'user:sam')
      .execute();
    assert.equal(left.length, 0);
    // The address keeps its two failures; clear them so the next test starts from zero.
    await t.server.ctx.db.deleteFrom('login_attempts').execute();
  });

  test('after N failures the next attempt is 429 with Retry-After, even with the right password', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await login(t, 'rita', `wrong-${i}`)).status, 401);
    const limited = await login(t, 'rita', PASSWORD);
    assert.equal(limited.status, 429);
    const retry = Number(limited.headers.get('retry-after'));
    assert.ok(retry > 0 && retry <= 15 * 60, `Retry-After ${retry}`);
    // The same address is limited for other accounts too.
    assert.equal((await login(t, 'sam', PASSWORD)).status, 429);
  });
});
