import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createUserWithToken, startTestServer, type TestServer } from '../support/server.js';

/** The admin pages' APIs on a real server: the instance-wide audit log and what agents declare. */
let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(async () => {
  await t.close();
});

test('the audit log of the instance filters by user and action family; only admins read it', async () => {
  for (const name of ['aa', 'bb'])
    assert.equal(
      (
        await t.api('/api/users', {
          method: 'POST',
          body: JSON.stringify({ username: name, password: 'long-enough-pass', role: 'viewer' }),
        })
      ).status,
      201,
    );
  await t.api('/api/users/aa', { method: 'PATCH', body: JSON.stringify({ role: 'maintainer' }) });
  const all = (await (await t.api('/api/audit?action=user')).json()) as {
    entries: { action: string; target: string }[];
  };
  assert.deepEqual(
    all.entries.map((e) => `${e.action} ${e.target}`),
    ['user.update aa', 'user.create bb', 'user.create aa'],
  );
  const updates = (await (await t.api('/api/audit?action=user.update')).json()) as { entries: unknown[] };
  assert.equal(updates.entries.length, 1);
  const me = (await (await t.api('/api/me')).json()) as { user: { username: string } };
  const byMe = (await (await t.api(`/api/audit?actor=${me.user.username}`)).json()) as { entries: unknown[] };
  assert.equal(byMe.entries.length, 3);
  assert.equal((await t.api('/api/audit?action=DROP TABLE')).status, 400);
  const viewer = await createUserWithToken(t.server, 'vic', 'viewer');
  const refused = await fetch(`${t.url}/api/audit`, { headers: { authorization: `Bearer ${viewer}` } });
  assert.equal(refused.status, 403);
});

test('an agent declares its version and capacity with its lease requests; the agents list shows them', async () => {
  const made = (await (
    await t.api('/api/agents', { method: 'POST', body: JSON.stringify({ name: 'builder-1' }) })
  ).json()) as {
    id: string;
    token: string;
  };
  const lease = await fetch(`${t.url}/api/agent/lease`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${made.token}`,
      'content-type': 'application/json',
      'x-slipway-protocol': '1',
    },
    body: JSON.stringify({ waitMs: 0, labels: { pool: 'build' }, agent: { version: '9.9.9', capacity: 4 } }),
  });
  assert.equal(lease.status, 204);
  const agents = (await (await t.api('/api/agents')).json()) as {
    name: string;
    version: string | null;
    capacity: number | null;
    labels: Record<string, string>;
    lastSeenAt: number | null;
  }[];
  const agent = agents.find((a) => a.name === 'builder-1');
  assert.equal(agent?.version, '9.9.9');
  assert.equal(agent?.capacity, 4);
  assert.equal(agent?.labels.pool, 'build');
  assert.ok(agent?.lastSeenAt);
});
