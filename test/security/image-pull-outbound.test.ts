/**
 * Security rule 11 for the images the engine pulls: a job's image, its services' images and a
 * deploy's image name a registry the agent's engine connects to. A registry on a loopback,
 * link-local or private address — in any spelling — is refused by the server before a lease is
 * given (the run fails naming the image and SLIPWAY_OUTBOUND_ALLOWLIST), unless allowlisted.
 * Images without a registry host are unaffected. Also: a refused remote says so in the run.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer as createTcpServer, type Server } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { LeaseMessage } from '../../src/protocol/agent-protocol.js';
import { createOutboundPolicy } from '../../src/server/git/outbound-policy.js';
import { seedProject, seedRun } from '../queue/queue-fixture.js';
import { insertProject } from '../support/git.js';
import { startTestServer, type TestServer } from '../support/server.js';

/** Every spelling of loopback / non-public a registry host or remote may use. */
const REFUSED_HOSTS = [
  '127.0.0.1',
  '2130706433', // decimal
  '0177.0.0.1', // octal
  '0x7f.1', // hex, short form
  '0x7f000001',
  '127.1',
  '127.0.0.1.', // trailing dot
  '[::127.0.0.1]', // IPv4-compatible IPv6
  '[::7f00:1]',
  '[::ffff:127.0.0.1]', // IPv4-mapped IPv6
  '[0:0:0:0:0:ffff:7f00:1]',
  '[::10.0.0.1]',
  'localhost',
  'LOCALHOST.',
  'registry.localhost',
  '[::1]',
  '0.0.0.0',
];

describe('outbound policy: every spelling of a non-public host', () => {
  // A resolver that would answer "public" for any name: localhost names must not ask it.
  const lookup = async () => ['93.184.216.34'];
  const check = (host: string, allowlist: string[] = []) =>
    createOutboundPolicy({ allowlist, lookup }).check({
      kind: 'http',
      url: new URL(`https://${host}:5000/`),
      authorization: null,
    });

  test('is refused', async () => {
    for (const host of REFUSED_HOSTS)
      await assert.rejects(check(host), /loopback, link-local or private/, host);
  });

  test('public addresses, in IPv4-mapped form too, pass', async () => {
    await check('93.184.216.34');
    await check('[::ffff:93.184.216.34]');
    await check('registry.example.com');
  });

  test('allowlisted names match without case or trailing dot', async () => {
    await check('Registry.Localhost.', ['registry.localhost']);
    await check('localhost', ['LOCALHOST.']);
    await assert.rejects(check('other.localhost', ['registry.localhost']));
  });
});

const pipeline = (jobs: string) => `version: 1
stages:
  - name: test
    jobs:
${jobs}
`;

describe('images the engine would pull', () => {
  let strict: TestServer;
  let allowing: TestServer;
  let listener: Server;
  let port: number;
  let connections = 0;
  const agents = new Map<TestServer, string>();

  before(async () => {
    listener = createTcpServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    port = (listener.address() as { port: number }).port;
    [strict, allowing] = await Promise.all([
      startTestServer(),
      startTestServer({ SLIPWAY_OUTBOUND_ALLOWLIST: '127.0.0.1' }),
    ]);
    for (const t of [strict, allowing]) {
      const res = await t.api('/api/agents', {
        method: 'POST',
        body: JSON.stringify({ name: `agent-${randomUUID().slice(0, 6)}` }),
      });
      agents.set(t, ((await res.json()) as { token: string }).token);
    }
  });
  after(async () => {
    await Promise.all([strict?.close(), allowing?.close()]);
    listener?.close();
  });

  async function lease(t: TestServer): Promise<LeaseMessage | null> {
    const res = await fetch(`${t.url}/api/agent/lease`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${agents.get(t)}`,
        'x-slipway-protocol': '1',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ waitMs: 500 }),
    });
    if (res.status === 204) return null;
    assert.equal(res.status, 200);
    return (await res.json()) as LeaseMessage;
  }

  async function finish(t: TestServer, leaseId: string): Promise<void> {
    await fetch(`${t.url}/api/agent/leases/${leaseId}/finish`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${agents.get(t)}`,
        'x-slipway-protocol': '1',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ status: 'succeeded', startedAt: 1, finishedAt: 2, error: null }),
    });
  }

  async function runRow(t: TestServer, runId: string) {
    return t.server.ctx.db
      .selectFrom('runs')
      .select(['status', 'failure_message'])
      .where('id', '=', runId)
      .executeTakeFirstOrThrow();
  }

  test('a job or service image on a refused registry: no lease, the run fails naming image and rule', async () => {
    const cases: [string, string][] = [
      [`      unit: { image: "127.0.0.1:${port}/x:1", script: ["true"] }`, `127.0.0.1:${port}/x:1`],
      [`      unit: { image: "2130706433:${port}/x:1", script: ["true"] }`, `2130706433:${port}/x:1`],
      [`      unit: { image: "0x7f.1:${port}/x:1", script: ["true"] }`, `0x7f.1:${port}/x:1`],
      [`      unit: { image: "[::7f00:1]:${port}/x:1", script: ["true"] }`, `[::7f00:1]:${port}/x:1`],
      [`      unit: { image: "localhost./x:1", script: ["true"] }`, 'localhost./x:1'],
      [
        `      unit:\n        image: busybox\n        script: ["true"]\n        services: { db: "[::127.0.0.1]:${port}/pg:16" }`,
        `[::127.0.0.1]:${port}/pg:16`,
      ],
    ];
    for (const [jobs, image] of cases) {
      const project = await seedProject(strict.server.ctx, { secrets: { TOKEN: 'never-handed-out' } });
      const { runId } = await seedRun(strict.server.ctx, project, { pipeline: pipeline(jobs) });
      assert.equal(await lease(strict), null, `${image}: no agent gets the lease`);
      const run = await runRow(strict, runId);
      assert.equal(run.status, 'failed', image);
      assert.ok(run.failure_message?.includes(`"${image}"`), `${image}: ${run.failure_message}`);
      assert.match(run.failure_message ?? '', /refuses pulls from registry .*SLIPWAY_OUTBOUND_ALLOWLIST/);
    }
    assert.equal(connections, 0, 'nothing connected to the local listener');
  });

  test('Docker Hub names, local images and allowlisted registries are leased', async () => {
    const cases: [TestServer, string][] = [
      [strict, '      unit: { image: "busybox:1.36", script: ["true"] }'],
      [strict, '      unit: { image: "team/tool:1", script: ["true"] }'],
      [strict, '      unit: { image: "docker.io/library/busybox:1.36", script: ["true"] }'],
      [allowing, `      unit: { image: "127.0.0.1:${port}/x:1", script: ["true"] }`],
      // Skipped jobs and manual jobs nobody chose pull nothing: their images are not judged.
      [
        strict,
        `      unit: { image: busybox, script: ["true"] }\n      later: { image: "127.0.0.1:${port}/x:1", script: ["true"], when: manual }`,
      ],
    ];
    for (const [t, jobs] of cases) {
      const project = await seedProject(t.server.ctx);
      const { runId } = await seedRun(t.server.ctx, project, { pipeline: pipeline(jobs) });
      const given = await lease(t);
      assert.equal(given?.runId, runId, jobs);
      await finish(t, given.leaseId);
    }
  });
});

describe('a remote the policy refuses', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => {
    await t?.close();
  });

  test('the run says the remote was refused, not "no .slipway.yml"', async () => {
    const project = await insertProject(t.server, {
      name: `remote-${randomUUID().slice(0, 6)}`,
      kind: 'remote',
      remoteUrl: 'http://[::7f00:1]:9/team/app.git',
      forge: 'github',
    });
    // What a webhook does: the fetch is refused (and logged), the run is still created.
    await assert.rejects(t.server.ctx.sources.refresh(project), /loopback, link-local or private/);
    const sha = 'a'.repeat(40);
    const run = await t.server.ctx.runs.createRun({
      project,
      event: {
        kind: 'push',
        ref: { kind: 'branch', name: 'main' },
        sha,
        author: 'octocat',
        message: '',
        changedFiles: [],
      },
      trigger: 'push',
      actor: 'octocat',
      untrusted: false,
    });
    assert.equal(run.status, 'failed');
    assert.match(run.failure_message ?? '', /refuses to fetch the remote of project remote-\w+: .*loopback/);
    assert.match(run.failure_message ?? '', /SLIPWAY_OUTBOUND_ALLOWLIST/);
    assert.doesNotMatch(run.failure_message ?? '', /no \.slipway\.yml/);
  });
});

describe('deploy images', () => {
  let t: TestServer;
  let agentId: string;
  before(async () => {
    t = await startTestServer();
    const res = await t.api('/api/agents', { method: 'POST', body: JSON.stringify({ name: 'deployer' }) });
    agentId = ((await res.json()) as { id: string }).id;
  });
  after(async () => {
    await t?.close();
  });

  async function projectWithApp(repository?: string): Promise<string> {
    const project = await seedProject(t.server.ctx);
    const res = await t.api(`/api/projects/${project.name}/applications`, {
      method: 'POST',
      body: JSON.stringify({
        name: 'web',
        environments: [{ name: 'staging', config: repository ? { repository } : {} }],
      }),
    });
    assert.equal(res.status, 201, await res.text());
    return project.name;
  }

  test('a manual release of an image on a refused registry is a 400 naming the field; nothing is recorded', async () => {
    const name = await projectWithApp('10.0.0.5:5000/team/web');
    const base = `/api/projects/${name}/applications/web/environments/staging/deploy`;
    for (const [body, field] of [
      [{ image: '127.0.0.1:5000/team/web:1' }, 'body.image'],
      [{ image: '2130706433:5000/team/web:1' }, 'body.image'],
      [{ imageDigest: `sha256:${'d'.repeat(64)}` }, 'body.imageDigest'],
    ] as const) {
      const res = await t.api(base, { method: 'POST', body: JSON.stringify(body) });
      const text = await res.text();
      assert.equal(res.status, 400, text);
      const error = (JSON.parse(text) as { error: { where: string; message: string } }).error;
      assert.equal(error.where, field);
      assert.match(error.message, /refuses pulls from registry .*SLIPWAY_OUTBOUND_ALLOWLIST/);
    }
    const releases = await t.api(`/api/projects/${name}/applications/web/releases`);
    assert.deepEqual(((await releases.json()) as { releases: unknown[] }).releases, []);
    const ok = await t.api(base, { method: 'POST', body: JSON.stringify({ image: 'team/web:1' }) });
    assert.equal(ok.status, 201, await ok.text());
  });

  test("a pipeline's deploy job naming such an image gets a refusal in its lease, not a deployment", async () => {
    const name = await projectWithApp();
    const project = await t.server.ctx.db
      .selectFrom('projects')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirstOrThrow();
    // Earlier tests' release runs may be queued: they are leased and ended first.
    const { runId } = await seedRun(t.server.ctx, project, {
      pipeline: pipeline(
        '      ship: { deploy: { app: web, env: staging, image: "[::ffff:127.0.0.1]:5000/web:1" } }',
      ),
    });
    for (let i = 0; i < 10; i++) {
      const lease = await t.server.ctx.queue.lease(agentId, 500);
      assert.ok(lease, 'the run is leased');
      await t.server.ctx.queue.finish(agentId, lease.leaseId, {
        status: 'failed',
        startedAt: 1,
        finishedAt: 2,
        error: 'test',
      });
      if (lease.runId !== runId) continue;
      const ship = lease.deployments?.ship;
      assert.ok(ship && 'refused' in ship, JSON.stringify(ship));
      assert.match(ship.refused, /deploy job "ship" image "\[::ffff:127\.0\.0\.1\]:5000\/web:1"/);
      assert.match(ship.refused, /SLIPWAY_OUTBOUND_ALLOWLIST/);
      return;
    }
    assert.fail('the run was never leased');
  });
});
