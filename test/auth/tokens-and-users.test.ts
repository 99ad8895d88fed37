/** API tokens (hashed at rest, shown once, revocable) and user administration by role. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createUserWithToken, startTestServer, type TestServer } from '../support/server.js';
import { withToken } from '../support/session-client.js';

describe('API tokens', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  test('created once, listed without value, stored only as a hash, dead once revoked', async () => {
    const created = await t.api('/api/tokens', { method: 'POST', body: JSON.stringify({ name: 'laptop' }) });
    assert.equal(created.status, 201);
    const { id, name, token } = (await created.json()) as { id: string; name: string; token: string };
    assert.equal(name, 'laptop');
    assert.match(token, /^slp_[A-Za-z0-9_-]{40,}$/);

    assert.equal((await withToken(t, token, '/api/me')).status, 200);
    const list = (await (await withToken(t, token, '/api/tokens')).json()) as Record<string, unknown>[];
    const mine = list.find((x) => x.id === id);
    assert.ok(mine);
    assert.equal(mine.revoked, false);
    assert.equal(typeof mine.lastUsedAt, 'number', 'use is recorded');
    assert.ok(!JSON.stringify(list).includes(token), 'the list never shows a token');

    const rows = await t.server.ctx.db.selectFrom('api_tokens').selectAll().execute();
    assert.ok(!JSON.stringify(rows).includes(token), 'the database holds no token in clear');

    assert.equal((await withToken(t, token, `/api/tokens/${id}`, { method: 'DELETE' })).status, 204);
    assert.equal((await withToken(t, token, '/api/me')).status, 401);
    assert.equal((await t.api(`/api/tokens/${id}`, { method: 'DELETE' })).status, 204, 'idempotent');
  });

  test('an unknown or malformed bearer token is 401, not a fallback to anonymous access', async () => {
    assert.equal((await withToken(t, 'slp_doesnotexist', '/api/me')).status, 401);
    assert.equal((await withToken(t, 'garbage', '/api/projects')).status, 401);
  });

  test('a non-admin cannot revoke (or learn of) someone else’s token; an admin can', async () => {
    const alice = await createUserWithToken(t.server, 'alice', 'maintainer');
    const bob = await createUserWithToken(t.server, 'bob', 'maintainer');
    const res = await withToken(t, bob, '/api/tokens', {
      method: 'POST',
      body: JSON.stringify({ name: 'b' }),
    });
    const { id } = (await res.json()) as { id: string };
    assert.equal((await withToken(t, alice, `/api/tokens/${id}`, { method: 'DELETE' })).status, 404);
    assert.equal((await t.api(`/api/tokens/${id}`, { method: 'DELETE' })).status, 204);
  });
});

describe('users', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  test('admins create, list, change and delete users; passwords have at least 12 characters', async () => {
    const short = await t.api('/api/users', {
      method: 'POST',
      body: JSON.stringify({ username: 'vic', password: 'short', role: 'viewer' }),
    });
    assert.equal(short.status, 400);
    assert.equal(((await short.json()) as { error: { where: string } }).error.where, 'body.password');

    const made = await t.api('/api/users', {
      method: 'POST',
      body: JSON.stringify({ username: 'vic', password: 'long-enough-pw', role: 'viewer' }),
    });
    assert.equal(made.status, 201);
    const again = await t.api('/api/users', {
      method: 'POST',
      body: JSON.stringify({ username: 'vic', password: 'long-enough-pw', role: 'viewer' }),
    });
    assert.equal(again.status, 409);

    const list = (await (await t.api('/api/users')).json()) as { username: string; role: string }[];
    assert.ok(list.some((u) => u.username === 'vic' && u.role === 'viewer'));
    assert.ok(!JSON.stringify(list).includes('scrypt'), 'no password hashes');

    const patched = await t.api('/api/users/vic', {
      method: 'PATCH',
      body: JSON.stringify({ role: 'maintainer' }),
    });
    assert.equal(((await patched.json()) as { role: string }).role, 'maintainer');
    assert.equal((await t.api('/api/users/vic', { method: 'DELETE' })).status, 204);
    assert.equal((await t.api('/api/users/vic', { method: 'DELETE' })).status, 404);
  });

  test('only admins manage users', async () => {
    const maintainer = await createUserWithToken(t.server, 'maya', 'maintainer');
    assert.equal((await withToken(t, maintainer, '/api/users')).status, 403);
    const res = await withToken(t, maintainer, '/api/users', {
      method: 'POST',
      body: JSON.stringify({ username: 'evil', password: 'long-enough-pw', role: 'admin' }),
    });
    assert.equal(res.status, 403);
  });

  test('the last admin can be neither demoted nor deleted', async () => {
    const admins = await t.server.ctx.db
      .selectFrom('users')
      .select('username')
      .where('role', '=', 'admin')
      .execute();
    assert.equal(admins.length, 1);
    const name = admins[0]!.username;
    const demote = await t.api(`/api/users/${name}`, {
      method: 'PATCH',
      body: JSON.stringify({ role: 'viewer' }),
    });
    assert.equal(demote.status, 409);
    assert.equal((await t.api(`/api/users/${name}`, { method: 'DELETE' })).status, 409);
  });

  test('a demotion applies at once to existing tokens', async () => {
    const token = await createUserWithToken(t.server, 'dora', 'admin');
    assert.equal((await withToken(t, token, '/api/users')).status, 200);
    await t.api('/api/users/dora', { method: 'PATCH', body: JSON.stringify({ role: 'viewer' }) });
    assert.equal((await withToken(t, token, '/api/users')).status, 403);
  });
});
