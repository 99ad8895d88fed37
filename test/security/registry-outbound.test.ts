/**
 * Security rule 11 for registries: a registry host and a build job's push target are
 * user-chosen outbound destinations. Loopback, link-local and private addresses (IPv4, IPv6,
 * `localhost` by resolution) are refused — a 400 naming body.host when a registry is added, a
 * visible failure of the build job (naming the host and SLIPWAY_OUTBOUND_ALLOWLIST) when a run
 * would push there — unless SLIPWAY_OUTBOUND_ALLOWLIST names them.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Backend, BuildOutcome } from '../../src/backends/backend.js';
import { FakeBackend } from '../../src/backends/fake/fake-backend.js';
import { startEmbeddedAgent } from '../../src/cli/embedded-agent.js';
import type { LeaseMessage } from '../../src/protocol/agent-protocol.js';
import { seedProject, seedRun } from '../queue/queue-fixture.js';
import { startTestServer, type TestServer } from '../support/server.js';

const NON_PUBLIC_HOSTS = [
  '127.0.0.1:5000',
  'localhost:5000',
  '[::1]:5000',
  '169.254.169.254',
  '10.0.0.5:5000',
  '172.16.3.4',
  '192.168.1.10:443',
  '[fd00::1]:5000',
  '[fe80::1]',
  '[::ffff:127.0.0.1]:5000',
  '0.0.0.0:5000',
];

async function add(t: TestServer, path: string, host: string): Promise<Response> {
  return t.api(path, {
    method: 'POST',
    body: JSON.stringify({ host, username: 'ci', password: 'registry-password-77' }),
  });
}

const pipeline = (target: string) => `version: 1
stages:
  - name: build
    jobs:
      image:
        build: { ${target} }
`;

describe('registry hosts', () => {
  let strict: TestServer;
  let allowing: TestServer;
  before(async () => {
    [strict, allowing] = await Promise.all([
      startTestServer(),
      startTestServer({ SLIPWAY_OUTBOUND_ALLOWLIST: '127.0.0.1,fd00::/8' }),
    ]);
  });
  after(async () => {
    await Promise.all([strict?.close(), allowing?.close()]);
  });

  test('non-public hosts are refused with a 400 naming body.host, global and per project', async () => {
    const project = await seedProject(strict.server.ctx);
    for (const path of ['/api/registries', `/api/projects/${project.name}/registries`]) {
      for (const host of NON_PUBLIC_HOSTS) {
        const res = await add(strict, path, host);
        const text = await res.text();
        assert.equal(res.status, 400, `${path} ${host}: ${text}`);
        assert.ok(!text.includes('registry-password-77'), 'the password is not echoed');
        const body = JSON.parse(text) as { error: { where: string; message: string } };
        assert.equal(body.error.where, 'body.host', host);
        assert.match(body.error.message, /^body\.host: .*loopback, link-local or private/, host);
        assert.match(body.error.message, /SLIPWAY_OUTBOUND_ALLOWLIST/, host);
      }
    }
    const listed = (await (await strict.api('/api/registries')).json()) as unknown[];
    assert.deepEqual(listed, [], 'nothing was stored');
  });

  test('a public address is accepted; allowlisted addresses (IP or CIDR) are accepted', async () => {
    assert.equal((await add(strict, '/api/registries', '93.184.215.14:5000')).status, 201);
    assert.equal((await add(allowing, '/api/registries', '127.0.0.1:5000')).status, 201);
    assert.equal((await add(allowing, '/api/registries', '[fd00::1]:5000')).status, 201);
    // Allowlisting 127.0.0.1 is not allowlisting the rest of loopback.
    assert.equal((await add(allowing, '/api/registries', '127.0.0.2:5000')).status, 400);
    assert.equal((await add(allowing, '/api/registries', '10.0.0.5')).status, 400);
  });
});

describe('push targets of build jobs', () => {
  let t: TestServer;
  let agentToken: string;
  before(async () => {
    t = await startTestServer({ SLIPWAY_OUTBOUND_ALLOWLIST: '10.9.0.0/16' });
    const res = await t.api('/api/agents', {
      method: 'POST',
      body: JSON.stringify({ name: `agent-${randomUUID().slice(0, 6)}` }),
    });
    agentToken = ((await res.json()) as { token: string }).token;
  });
  after(async () => {
    await t?.close();
  });

  async function leaseFor(target: string): Promise<LeaseMessage> {
    const project = await seedProject(t.server.ctx);
    await seedRun(t.server.ctx, project, { pipeline: pipeline(target) });
    const res = await fetch(`${t.url}/api/agent/lease`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${agentToken}`,
        'x-slipway-protocol': '1',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ waitMs: 2000 }),
    });
    assert.equal(res.status, 200);
    const lease = (await res.json()) as LeaseMessage;
    await fetch(`${t.url}/api/agent/leases/${lease.leaseId}/finish`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${agentToken}`,
        'x-slipway-protocol': '1',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ status: 'failed', startedAt: 1, finishedAt: 2, error: 'test' }),
    });
    return lease;
  }

  test('the lease refuses pushes to non-public hosts, from build.image or build.registry', async () => {
    for (const [target, host] of [
      ['image: 127.0.0.1:5000/team/api', '127.0.0.1:5000'],
      ['image: team/api, registry: "localhost:5000"', 'localhost:5000'],
      ['image: "[::1]:5000/team/api"', '[::1]:5000'],
      ['image: 169.254.169.254/x', '169.254.169.254'],
    ] as const) {
      const lease = await leaseFor(target);
      const refusal = lease.pushRefusals?.image;
      assert.ok(refusal, `${target}: ${JSON.stringify(lease.pushRefusals)}`);
      assert.ok(refusal.includes(host), refusal);
      assert.match(refusal, /SLIPWAY_OUTBOUND_ALLOWLIST/);
    }
  });

  test('allowlisted, public, and local-only builds are not refused', async () => {
    for (const target of [
      'image: 10.9.1.2:5000/team/api',
      'image: 93.184.215.14/team/api',
      'image: team/api',
      'image: 127.0.0.1:5000/team/api, push: false',
    ]) {
      const lease = await leaseFor(target);
      assert.deepEqual(lease.pushRefusals ?? {}, {}, target);
    }
  });

  test('through the embedded agent the build job fails visibly, naming the host; nothing is built', async () => {
    let builds = 0;
    // The refusal comes before any engine call: a backend that counts build requests is enough.
    class CountingBackend extends FakeBackend {
      async buildImage(): Promise<BuildOutcome> {
        builds += 1;
        return { kind: 'backend_error', message: 'must not be called' };
      }
    }
    const project = await seedProject(t.server.ctx);
    const { runId } = await seedRun(t.server.ctx, project, {
      pipeline: pipeline('image: 192.168.7.7:5000/team/api'),
    });
    const stop = await startEmbeddedAgent(t.server, new CountingBackend() as Backend, 1);
    try {
      const deadline = Date.now() + 15_000;
      let job: { status: string; failure_message: string | null } | undefined;
      for (;;) {
        job = await t.server.ctx.db
          .selectFrom('jobs')
          .select(['status', 'failure_message'])
          .where('run_id', '=', runId)
          .where('name', '=', 'image')
          .executeTakeFirst();
        if (job && job.status !== 'pending' && job.status !== 'running') break;
        if (Date.now() > deadline) throw new Error(`the job did not end: ${JSON.stringify(job)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.equal(job?.status, 'failed');
      assert.match(job?.failure_message ?? '', /refuses to push to 192\.168\.7\.7:5000/);
      assert.match(job?.failure_message ?? '', /SLIPWAY_OUTBOUND_ALLOWLIST/);
      assert.equal(builds, 0);
    } finally {
      await stop();
    }
  });
});
