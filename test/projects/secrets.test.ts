/**
 * Security rule 6: secrets are sealed at rest, never returned (names only), never in a log line
 * or an error message. The log check runs a server with its real logger in a child process.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { fakeSources } from '../support/recording-fakes.js';
import { createUserWithToken, startTestServer, type TestServer } from '../support/server.js';
import { withToken } from '../support/session-client.js';

const VALUE = 'sup3r-s3cret-deploy-key';
const put = (value: unknown): RequestInit => ({ method: 'PUT', body: JSON.stringify({ value }) });

describe('project secrets', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
    t.server.ctx.sources = fakeSources();
    await t.api('/api/projects', {
      method: 'POST',
      body: JSON.stringify({
        visibility: 'internal',
        name: 'app',
        source: { kind: 'builtin' },
      }),
    });
  });
  after(() => t.close());

  test('set, listed by name only, sealed in the database, replaced, deleted', async () => {
    const res = await t.api('/api/projects/app/secrets/DEPLOY_KEY', put(VALUE));
    assert.equal(res.status, 200);
    const body = await res.text();
    assert.ok(!body.includes(VALUE));
    assert.equal((JSON.parse(body) as { name: string }).name, 'DEPLOY_KEY');

    const list = await (await t.api('/api/projects/app/secrets')).text();
    assert.ok(!list.includes(VALUE));
    const entries = JSON.parse(list) as Record<string, unknown>[];
    assert.deepEqual(Object.keys(entries[0] ?? {}).sort(), ['createdAt', 'name', 'updatedAt']);

    const rows = await t.server.ctx.db.selectFrom('secrets').selectAll().execute();
    assert.equal(rows.length, 1);
    assert.ok(!rows[0]!.value.includes(VALUE), 'not stored in clear');
    assert.equal(t.server.ctx.secretBox.open(rows[0]!.value), VALUE);

    assert.equal((await t.api('/api/projects/app/secrets/DEPLOY_KEY', put(`${VALUE}-2`))).status, 200);
    const again = await t.server.ctx.db.selectFrom('secrets').selectAll().execute();
    assert.equal(again.length, 1, 'replaced, not added');
    assert.equal(t.server.ctx.secretBox.open(again[0]!.value), `${VALUE}-2`);

    assert.equal((await t.api('/api/projects/app/secrets/DEPLOY_KEY', { method: 'DELETE' })).status, 204);
    assert.equal((await t.api('/api/projects/app/secrets/DEPLOY_KEY', { method: 'DELETE' })).status, 404);
  });

  test('a value too short to be masked is refused, without echoing it', async () => {
    const res = await t.api('/api/projects/app/secrets/PIN', put('1234567'));
    assert.equal(res.status, 400);
    const text = await res.text();
    assert.match(text, /too short to be masked/);
    assert.ok(!text.includes('1234567'));
  });

  test('a value with a control character is refused naming the secret, without echoing it', async () => {
    // A NUL cannot be put in a job's environment: the engine refused it quoting the value.
    for (const value of ['abc\u0000defghijk', 'colour\u001b[31mred-and-more', 'c1-control\u0085here']) {
      const res = await t.api('/api/projects/app/secrets/NUL_TOKEN', put(value));
      assert.equal(res.status, 400);
      const text = await res.text();
      const body = JSON.parse(text) as { error: { message: string; where: string } };
      assert.equal(body.error.where, 'body.value');
      assert.match(body.error.message, /^secret NUL_TOKEN contains the control character U\+00/);
      for (const piece of ['defghijk', 'red-and-more', 'c1-control']) assert.ok(!text.includes(piece), text);
    }
    assert.equal((await t.api('/api/projects/app/secrets')).status, 200);
    const rows = await t.server.ctx.db
      .selectFrom('secrets')
      .where('name', '=', 'NUL_TOKEN')
      .selectAll()
      .execute();
    assert.equal(rows.length, 0);
    // Tabs and line breaks stay allowed: multi-line keys need them.
    const pem = '-----BEGIN KEY-----\r\nMIIEvQIBADANBg\tkq\n-----END KEY-----\n';
    assert.equal((await t.api('/api/projects/app/secrets/PEM_KEY', put(pem))).status, 200);
  });

  test('names must be environment variable names', async () => {
    const res = await t.api('/api/projects/app/secrets/1BAD-NAME', put(VALUE));
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: { where: string } }).error.where, 'params.name');
  });

  test('viewers may list names but not set or delete', async () => {
    const viewer = await createUserWithToken(t.server, 'vi', 'viewer');
    assert.equal((await withToken(t, viewer, '/api/projects/app/secrets')).status, 200);
    assert.equal((await withToken(t, viewer, '/api/projects/app/secrets/X_KEY', put(VALUE))).status, 403);
    assert.equal(
      (await withToken(t, viewer, '/api/projects/app/secrets/X_KEY', { method: 'DELETE' })).status,
      403,
    );
  });
});

describe('secret values never reach the server log', () => {
  test('set, set invalid, and send malformed JSON with a logger at debug level', {
    timeout: 30_000,
  }, async () => {
    const script = fileURLToPath(new URL('./support/logging-server.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    try {
      const ready = await waitFor(() => /^READY (.*)$/m.exec(output)?.[1]);
      const { url, token } = JSON.parse(ready) as { url: string; token: string };
      const call = (path: string, init: RequestInit) =>
        fetch(`${url}${path}`, {
          ...init,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        });
      await call('/api/projects', {
        method: 'POST',
        body: JSON.stringify({
          visibility: 'internal',
          name: 'app',
          source: { kind: 'builtin' },
        }),
      });
      assert.equal((await call('/api/projects/app/secrets/TOKEN', put(VALUE))).status, 200);
      assert.equal((await call('/api/projects/nope/secrets/TOKEN', put(VALUE))).status, 404);
      assert.equal((await call('/api/projects/app/secrets/bad-name', put(VALUE))).status, 400);
      assert.equal(
        (await call('/api/projects/app/secrets/TOKEN', { method: 'PUT', body: `{"value": ${VALUE}}` }))
          .status,
        400,
      );
      assert.equal((await call('/api/projects/app/secrets/TOKEN', put({ nested: VALUE }))).status, 400);
      await call('/api/projects/app/secrets', { method: 'GET' });
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    assert.match(output, /incoming request/, 'the logger was on');
    assert.match(output, /secrets\/TOKEN/, 'the requests were logged');
    assert.ok(!output.includes(VALUE), `the secret value appears in the log:\n${output}`);
  });
});

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
