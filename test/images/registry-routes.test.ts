/**
 * Registries over the API on a real server: write-only, encrypted credentials, scopes (global by
 * admins, per project by maintainers, the project's entry winning), input checks naming the
 * field, and the connection check against Debian's real docker-registry on loopback (with and
 * without htpasswd auth), behind the outbound policy.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { freePort, startRegistry, type TestRegistry } from '../support/registry.js';
import { createUserWithToken, startTestServer, type TestServer } from '../support/server.js';

const PASSWORD = 'registry-pass-5ecret';

let t: TestServer;
let project: string;
const as = (token: string) => ({ authorization: `Bearer ${token}` });

before(async () => {
  // Loopback registries are private addresses: only an allowlist lets the check reach them.
  t = await startTestServer({ SLIPWAY_OUTBOUND_ALLOWLIST: '127.0.0.1' });
  project = `reg-${randomUUID().slice(0, 6)}`;
  const res = await t.api('/api/projects', {
    method: 'POST',
    body: JSON.stringify({
      visibility: 'internal',
      name: project,
      source: { kind: 'builtin' },
    }),
  });
  assert.equal(res.status, 201, await res.text());
});
after(async () => {
  await t.close();
});

async function addGlobal(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return t.api('/api/registries', { method: 'POST', body: JSON.stringify(body), headers });
}

describe('registry credentials', () => {
  test('the password is write-only and sealed at rest', async () => {
    const res = await addGlobal({ host: 'registry.example:5000', username: 'ci', password: PASSWORD });
    assert.equal(res.status, 201);
    const created = (await res.json()) as Record<string, unknown>;
    assert.deepEqual(
      {
        host: created.host,
        username: created.username,
        hasPassword: created.hasPassword,
        scope: created.scope,
      },
      { host: 'registry.example:5000', username: 'ci', hasPassword: true, scope: 'global' },
    );
    const listed = await (await t.api('/api/registries')).text();
    const projectListed = await (await t.api(`/api/projects/${project}/registries`)).text();
    for (const text of [JSON.stringify(created), listed, projectListed]) {
      assert.ok(!text.includes(PASSWORD), 'no response contains the password');
      assert.ok(!text.includes('"password"'), 'no response has a password field');
    }
    const row = await t.server.ctx.db
      .selectFrom('registries')
      .selectAll()
      .where('id', '=', created.id as string)
      .executeTakeFirstOrThrow();
    assert.ok(!JSON.stringify(row).includes(PASSWORD), 'the raw row has no plaintext');
    assert.match(row.password, /^v1:/);
    assert.equal(t.server.ctx.secretBox.open(row.password), PASSWORD);
  });

  test('adding a host again replaces its credentials instead of duplicating it', async () => {
    const host = `rotate-${randomUUID().slice(0, 6)}.example`;
    await addGlobal({ host, username: 'a', password: 'first-password' });
    const again = await addGlobal({ host, username: 'b', password: 'second-password' });
    assert.equal(again.status, 201);
    const rows = await t.server.ctx.db
      .selectFrom('registries')
      .selectAll()
      .where('host', '=', host)
      .execute();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.username, 'b');
    assert.equal(t.server.ctx.secretBox.open(rows[0]?.password ?? ''), 'second-password');
  });

  test('a URL is reduced to host[:port]; a path, credentials or other schemes are refused naming the field', async () => {
    const ok = await addGlobal({ host: 'HTTPS://Mixed.Example:5443/v2/', username: 'u', password: 'p' });
    assert.equal(ok.status, 201);
    assert.equal(((await ok.json()) as { host: string }).host, 'mixed.example:5443');
    for (const host of [
      'https://r.example/team/api',
      'ftp://r.example',
      'u:p@r.example',
      'r.example:99999',
      'bad host',
    ]) {
      const res = await addGlobal({ host, username: 'u', password: 'p' });
      assert.equal(res.status, 400, host);
      const body = (await res.json()) as { error: { message: string; where: string } };
      assert.equal(body.error.where, 'body.host', host);
      assert.match(body.error.message, /^body\.host: /);
    }
    const noUser = await addGlobal({ host: 'r.example', password: 'p' });
    assert.equal(noUser.status, 400);
    assert.equal(((await noUser.json()) as { error: { where: string } }).error.where, 'body.username');
    const noPassword = await addGlobal({ host: 'r.example', username: 'u', password: '' });
    assert.equal(((await noPassword.json()) as { error: { where: string } }).error.where, 'body.password');
  });

  test('roles: admins manage global registries, maintainers their project’s, viewers neither', async () => {
    const maintainer = await createUserWithToken(t.server, `m-${randomUUID().slice(0, 6)}`, 'maintainer');
    const viewer = await createUserWithToken(t.server, `v-${randomUUID().slice(0, 6)}`, 'viewer');
    const body = JSON.stringify({ host: 'roles.example', username: 'u', password: 'p' });
    assert.equal((await addGlobal(JSON.parse(body), as(maintainer))).status, 403);
    assert.equal((await t.api('/api/registries', { headers: as(maintainer) })).status, 403);
    const projectPath = `/api/projects/${project}/registries`;
    assert.equal((await t.api(projectPath, { method: 'POST', body, headers: as(viewer) })).status, 403);
    assert.equal((await t.api(projectPath, { headers: as(viewer) })).status, 403);
    const anonymous = { method: 'POST', body, headers: { 'content-type': 'application/json' } };
    assert.equal((await fetch(`${t.url}${projectPath}`, anonymous)).status, 401);
    const created = await t.api(projectPath, { method: 'POST', body, headers: as(maintainer) });
    assert.equal(created.status, 201);
    const { id } = (await created.json()) as { id: string };
    assert.equal(
      (await t.api(`${projectPath}/${id}`, { method: 'DELETE', headers: as(viewer) })).status,
      403,
    );
    // A project entry cannot be removed through the global route, nor a global one per project.
    assert.equal((await t.api(`/api/registries/${id}`, { method: 'DELETE' })).status, 404);
    assert.equal(
      (await t.api(`${projectPath}/${id}`, { method: 'DELETE', headers: as(maintainer) })).status,
      204,
    );
    assert.equal(
      (await t.api(`${projectPath}/${id}`, { method: 'DELETE', headers: as(maintainer) })).status,
      404,
    );
    assert.equal((await t.api(`/api/projects/nope-${id}/registries`)).status, 404);
  });

  test('a project lists its own entries and the global ones it does not override', async () => {
    const host = `shared-${randomUUID().slice(0, 6)}.example`;
    await addGlobal({ host, username: 'global-user', password: 'global-password' });
    const before = (await (await t.api(`/api/projects/${project}/registries`)).json()) as {
      host: string;
      scope: string;
      username: string;
    }[];
    assert.deepEqual(
      before.filter((r) => r.host === host).map((r) => [r.scope, r.username]),
      [['global', 'global-user']],
    );
    await t.api(`/api/projects/${project}/registries`, {
      method: 'POST',
      body: JSON.stringify({ host, username: 'project-user', password: 'project-password' }),
    });
    const after = (await (await t.api(`/api/projects/${project}/registries`)).json()) as typeof before;
    assert.deepEqual(
      after.filter((r) => r.host === host).map((r) => [r.scope, r.username]),
      [['project', 'project-user']],
    );
  });
});

describe('registry connection check (real docker-registry on loopback)', () => {
  let open: TestRegistry;
  let locked: TestRegistry;
  before(async () => {
    [open, locked] = await Promise.all([
      startRegistry(),
      startRegistry({ username: 'ci', password: PASSWORD }),
    ]);
  });
  after(async () => {
    await Promise.all([open?.stop(), locked?.stop()]);
  });

  async function check(host: string, username: string, password: string, server = t) {
    const created = await server.api('/api/registries', {
      method: 'POST',
      body: JSON.stringify({ host, username, password }),
    });
    const { id } = (await created.json()) as { id: string };
    const res = await server.api(`/api/registries/${id}/check`, { method: 'POST' });
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.ok(!text.includes(password), 'the answer never contains the password');
    return JSON.parse(text) as { result: string; message: string };
  }

  test('ok with good credentials, unauthorized with bad ones', async () => {
    assert.equal((await check(locked.host, 'ci', PASSWORD)).result, 'ok');
    const bad = await check(locked.host, 'ci', 'wrong-password-123');
    assert.equal(bad.result, 'unauthorized');
    assert.match(bad.message, /refused the credentials/);
    assert.equal((await check(open.host, 'anyone', 'anything-at-all')).result, 'ok');
  });

  test('a closed port is unreachable, within the bound', async () => {
    const port = await freePort();
    const res = await check(`127.0.0.1:${port}`, 'u', 'some-password');
    assert.equal(res.result, 'unreachable');
    assert.match(res.message, /connection refused/);
  });

  test('loopback is refused unless an admin allowlists it', async () => {
    const strict = await startTestServer();
    try {
      // Refused already when it is added (the check of a stored entry refuses it too, see
      // test/security/registry-outbound.test.ts).
      const res = await strict.api('/api/registries', {
        method: 'POST',
        body: JSON.stringify({ host: open.host, username: 'u', password: 'some-password' }),
      });
      assert.equal(res.status, 400);
      const body = (await res.json()) as { error: { where: string; message: string } };
      assert.equal(body.error.where, 'body.host');
      assert.match(body.error.message, /SLIPWAY_OUTBOUND_ALLOWLIST/);
    } finally {
      await strict.close();
    }
  });
});
