import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/server.js';
import { createUser, login, signIn } from '../support/session-client.js';

/**
 * Accounts as a team runs them (real server, real password hashing, cookies and tokens): a
 * password someone else chose must be replaced before anything else works, disabled accounts
 * are shut out everywhere at once, and one-time invitation links create exactly one account.
 */
describe('user lifecycle', () => {
  let t: TestServer;
  const json = (body: unknown) => ({ body: JSON.stringify(body) });

  before(async () => {
    t = await startTestServer();
  });
  after(async () => {
    await t.close();
  });

  it('a password chosen by an admin must be replaced at first sign-in; nothing else works until then', async () => {
    const made = await t.api('/api/users', {
      method: 'POST',
      ...json({
        username: 'nina',
        password: 'admin-chose-this-1',
        role: 'maintainer',
        mustChangePassword: true,
      }),
    });
    assert.equal(made.status, 201, await made.clone().text());
    const first = await signIn(t, 'nina', 'admin-chose-this-1');
    const second = await signIn(t, 'nina', 'admin-chose-this-1');
    const me = (await (await first.fetch('/api/me')).json()) as { user: { mustChangePassword: boolean } };
    assert.equal(me.user.mustChangePassword, true);
    const blocked = await first.fetch('/api/projects');
    assert.equal(blocked.status, 403);
    assert.match(await blocked.text(), /password_change_required/);

    const change = (body: unknown) =>
      first.fetch('/api/me/password', { method: 'PUT', csrf: true, ...json(body) });
    const wrong = await change({ currentPassword: 'not-my-password', newPassword: 'ninas-own-password' });
    assert.equal(wrong.status, 403);
    const same = await change({ currentPassword: 'admin-chose-this-1', newPassword: 'admin-chose-this-1' });
    assert.equal(same.status, 400);
    assert.match(await same.text(), /body\.newPassword/);
    const ok = await change({ currentPassword: 'admin-chose-this-1', newPassword: 'ninas-own-password' });
    assert.equal(ok.status, 200, await ok.clone().text());

    assert.equal((await first.fetch('/api/projects')).status, 200, 'this session goes on');
    assert.equal((await second.fetch('/api/me')).status, 401, 'other sessions were signed out');
    assert.equal((await login(t, 'nina', 'admin-chose-this-1')).status, 401, 'the old password is gone');
    assert.equal((await login(t, 'nina', 'ninas-own-password')).status, 200);
  });

  it('an admin reset makes the user choose again; disabling shuts sessions and tokens out at once', async () => {
    await createUser(t, 'otto', 'ottos-password-1', 'viewer');
    const otto = await signIn(t, 'otto', 'ottos-password-1');
    const tokenRes = await otto.fetch('/api/tokens', {
      method: 'POST',
      csrf: true,
      ...json({ name: 'cli' }),
    });
    assert.equal(tokenRes.status, 201, await tokenRes.clone().text());
    const { token } = (await tokenRes.json()) as { token: string };
    const withToken = (path: string) =>
      fetch(`${t.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal((await withToken('/api/projects')).status, 200);

    const patch = (body: unknown) => t.api('/api/users/otto', { method: 'PATCH', ...json(body) });
    const disabled = await patch({ disabled: true });
    assert.equal(disabled.status, 200, await disabled.clone().text());
    assert.equal(((await disabled.json()) as { disabled: boolean }).disabled, true);
    assert.equal((await otto.fetch('/api/me')).status, 401, 'the session is dead');
    assert.equal((await withToken('/api/projects')).status, 401, 'the token no longer works');
    const refused = await login(t, 'otto', 'ottos-password-1');
    assert.equal(refused.status, 403);
    assert.match(await refused.text(), /account_disabled/);

    assert.equal((await patch({ disabled: false })).status, 200);
    assert.equal((await withToken('/api/projects')).status, 200, 'enabled again: the token works');

    assert.equal((await patch({ password: 'reset-by-the-admin' })).status, 200);
    const after = await signIn(t, 'otto', 'reset-by-the-admin');
    assert.equal((await after.fetch('/api/projects')).status, 403, 'a reset password must be replaced');
    const list = (await (await t.api('/api/users')).json()) as {
      username: string;
      mustChangePassword: boolean;
    }[];
    assert.equal(list.find((u) => u.username === 'otto')?.mustChangePassword, true);
  });

  it('an admin cannot disable their own account', async () => {
    const me = (await (await t.api('/api/me')).json()) as { user: { username: string } };
    const res = await t.api(`/api/users/${me.user.username}`, {
      method: 'PATCH',
      ...json({ disabled: true }),
    });
    assert.equal(res.status, 409);
  });

  it('an invitation link creates exactly one account with its role, then is spent', async () => {
    const made = await t.api('/api/invites', { method: 'POST', ...json({ role: 'viewer' }) });
    assert.equal(made.status, 201, await made.clone().text());
    const invite = (await made.json()) as { token: string; path: string; id: string; role: string };
    assert.equal(invite.path, `/invite/${invite.token}`);
    const accept = (username: string) =>
      fetch(`${t.url}/api/invites/${invite.token}/accept`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: 'a-new-users-password' }),
      });
    const [a, b] = await Promise.all([accept('ivy'), accept('ivan')]);
    const statuses = [a.status, b.status].sort();
    assert.deepEqual(statuses, [201, 404], 'two people racing with one link get one account');
    const winner = a.status === 201 ? a : b;
    const body = (await winner.json()) as { user: { username: string; role: string } };
    assert.equal(body.user.role, 'viewer');
    const cookie = (winner.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const me = await fetch(`${t.url}/api/me`, { headers: { cookie } });
    assert.equal(me.status, 200, 'accepting signs the new user in');

    const listed = (await (await t.api('/api/invites')).json()) as { id: string; usedBy: string | null }[];
    assert.equal(listed.find((i) => i.id === invite.id)?.usedBy, body.user.username);
    assert.equal(
      (await t.api(`/api/invites/${invite.id}`, { method: 'DELETE' })).status,
      404,
      'a used link is not revocable',
    );

    const spare = (await (
      await t.api('/api/invites', { method: 'POST', ...json({ role: 'maintainer' }) })
    ).json()) as {
      id: string;
      token: string;
    };
    assert.equal((await t.api(`/api/invites/${spare.id}`, { method: 'DELETE' })).status, 204);
    const late = await fetch(`${t.url}/api/invites/${spare.token}/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'late', password: 'a-new-users-password' }),
    });
    assert.equal(late.status, 404, 'a revoked link creates nothing');
  });
});
