import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { createUserWithToken, startTestServer, type TestServer } from '../support/server.js';

/** `slipway apps|deploy|approve|promote|rollback|scale` against a real server (in-process CLI). */
let t: TestServer;
let viewerToken: string;

async function cli(
  args: string[],
  token = t.adminToken,
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
    env: { SLIPWAY_SERVER: t.url, SLIPWAY_TOKEN: token, HOME: '/nonexistent' },
    color: false,
  } as Parameters<typeof main>[1]);
  return { code, out, err };
}

before(async () => {
  t = await startTestServer();
  viewerToken = await createUserWithToken(t.server, 'viv', 'viewer');
  await t.api('/api/projects', {
    method: 'POST',
    body: JSON.stringify({
      visibility: 'internal',
      name: 'cli',
      source: { kind: 'builtin' },
    }),
  });
  const res = await t.api('/api/projects/cli/applications', {
    method: 'POST',
    body: JSON.stringify({
      name: 'api',
      environments: [{ name: 'staging' }, { name: 'production', requiresApproval: true }],
    }),
  });
  assert.equal(res.status, 201);
});
after(async () => {
  await t.close();
});

test('deploy prints the release and its run; apps shows environments side by side', async () => {
  const deployed = await cli([
    'deploy',
    'cli',
    'api',
    'staging',
    '--image',
    `reg.local/api@sha256:${'c'.repeat(64)}`,
  ]);
  assert.equal(deployed.code, 0, deployed.err);
  assert.match(deployed.out, /release #1 of api to staging: queued/);
  assert.match(deployed.out, /run #1/);
  const apps = await cli(['apps', 'cli']);
  assert.equal(apps.code, 0, apps.err);
  assert.match(apps.out, /api\s+staging\s+deploying/);
  assert.match(apps.out, /production \(approval\)\s+not_deployed/);
  const json = await cli(['apps', 'cli', '--json']);
  assert.equal((JSON.parse(json.out) as unknown[]).length, 1);
});

test('usage errors exit 2 with one clear line; a refused action shows the server message', async () => {
  const usage = await cli(['deploy', 'cli', 'api', 'staging']);
  assert.equal(usage.code, 2);
  assert.match(usage.err, /one of --image, --digest, --run/);
  const promote = await cli(['promote', 'cli', 'api', '--from', 'staging', '--to', 'production']);
  assert.equal(promote.code, 2);
  assert.match(promote.err, /409 environment "staging" has no successful release/);
  const viewer = await cli(['scale', 'cli', 'api', 'staging', '--replicas', '2'], viewerToken);
  assert.equal(viewer.code, 2);
  assert.match(viewer.err, /403/);
  const bad = await cli(['scale', 'cli', 'api', 'staging', '--replicas', 'two']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--replicas must be a whole number/);
});
