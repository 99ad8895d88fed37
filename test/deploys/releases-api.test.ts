import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { JobResultMessage, LeaseMessage } from '../../src/protocol/agent-protocol.js';
import { createAgent } from '../../src/server/queue/agent-registry.js';
import { createUserWithToken, startTestServer, type TestServer } from '../support/server.js';

/**
 * Applications, environments and releases through the real API on a real server. The agent's
 * side is played through the server's own queue service (lease → job updates → finish), exactly
 * the calls a real agent makes, so release bookkeeping is exercised end to end without Docker
 * (the whole loop with the engine is in deploy-loop.test.ts).
 */
const DIGEST_A = `sha256:${'a'.repeat(64)}`;
const DIGEST_B = `sha256:${'b'.repeat(64)}`;

describe('applications and releases API', () => {
  let t: TestServer;
  let viewer: string;
  let maintainer: string;
  let agentId: string;

  const as =
    (token: string) =>
    (path: string, init: RequestInit = {}) =>
      t.api(path, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });
  const post = (path: string, body: unknown, token?: string) =>
    (token ? as(token) : t.api)(path, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
  const app = '/api/projects/shop/applications/api';

  /** Plays the agent for the next queued execution: the deploy job ends as `outcome` says. */
  async function agentRuns(outcome: 'succeeded' | 'failed' | 'rolled_back'): Promise<LeaseMessage> {
    const { queue } = t.server.ctx;
    const lease = await queue.lease(agentId, 2_000);
    assert.ok(lease, 'a release run was queued');
    const deployment = lease.deployments?.deploy;
    assert.ok(deployment && !('refused' in deployment), `deployment given: ${JSON.stringify(deployment)}`);
    const base: JobResultMessage = {
      name: 'deploy',
      stage: 'deploy',
      status: 'running',
      allowFailure: false,
      failure: null,
      skip: null,
      exitCode: null,
      startedAt: Date.now(),
      finishedAt: null,
    };
    await queue.jobUpdate(agentId, lease.leaseId, base);
    const ok = outcome === 'succeeded';
    await queue.jobUpdate(agentId, lease.leaseId, {
      ...base,
      status: ok ? 'succeeded' : 'failed',
      failure: ok ? null : { reason: 'backend_error', message: 'health check failed' },
      finishedAt: Date.now(),
      release: {
        id: deployment.releaseId,
        status: outcome,
        ...(ok ? {} : { reason: 'health check failed' }),
        ...(deployment.image ? { image: deployment.image } : {}),
      },
    });
    await queue.finish(agentId, lease.leaseId, {
      status: ok ? 'succeeded' : 'failed',
      startedAt: Date.now(),
      finishedAt: Date.now(),
      error: null,
    });
    return lease;
  }

  async function releases(env?: string) {
    const res = await t.api(`${app}/releases${env ? `?env=${env}` : ''}`);
    assert.equal(res.status, 200);
    return ((await res.json()) as { releases: Record<string, unknown>[] }).releases;
  }

  before(async () => {
    t = await startTestServer();
    viewer = await createUserWithToken(t.server, 'vera', 'viewer');
    maintainer = await createUserWithToken(t.server, 'max', 'maintainer');
    agentId = (await createAgent(t.server.ctx.db, { name: 'a1', embedded: false, now: Date.now() })).agent.id;
    const created = await post('/api/projects', {
      name: 'shop',
      source: { kind: 'builtin' },
      visibility: 'internal',
    });
    assert.equal(created.status, 201, await created.text());
  });
  after(async () => {
    await t.close();
  });

  it('creates an application with ordered environments; viewers may read but not create', async () => {
    const body = {
      name: 'api',
      environments: [
        {
          name: 'staging',
          config: {
            repository: 'reg.local/shop/api',
            ports: [{ published: 18080, target: 8080 }],
            replicas: 2,
          },
          autoRelease: { branches: ['develop'] },
        },
        { name: 'production', config: { replicas: 3 }, requiresApproval: true },
      ],
    };
    assert.equal((await post('/api/projects/shop/applications', body, viewer)).status, 403);
    const res = await post('/api/projects/shop/applications', body);
    assert.equal(res.status, 201, await res.clone().text());
    const json = (await res.json()) as {
      environments: { name: string; health: string; requiresApproval: boolean }[];
    };
    assert.deepEqual(
      json.environments.map((e) => [e.name, e.health, e.requiresApproval]),
      [
        ['staging', 'not_deployed', false],
        ['production', 'not_deployed', true],
      ],
    );
    assert.equal((await post('/api/projects/shop/applications', body)).status, 409);
    const list = await as(viewer)('/api/projects/shop/applications');
    assert.equal(list.status, 200);
  });

  it('answers bad input with a 400 naming the field', async () => {
    const bad = async (path: string, body: unknown, field: string) => {
      const res = await post(path, body);
      const text = await res.text();
      assert.equal(res.status, 400, text);
      assert.match(text, new RegExp(field.replace(/\./g, '\\.')));
    };
    await bad('/api/projects/shop/applications', { name: 'Bad Name' }, 'body.name');
    await bad(
      '/api/projects/shop/applications',
      { name: 'x', environments: [{ name: 'dev', config: { ports: [{ published: 0, target: 80 }] } }] },
      'body.environments.0.config.ports.0.published',
    );
    await bad(
      '/api/projects/shop/applications',
      { name: 'x', environments: [{ name: 'dev', config: { replicaz: 2 } }] },
      'body.environments.0.config',
    );
    await bad(`${app}/environments/staging/deploy`, {}, 'body');
    await bad(`${app}/environments/staging/deploy`, { image: 'a b' }, 'body.image');
    await bad(`${app}/environments/staging/scale`, { replicas: -1 }, 'body.replicas');
    const put = await t.api(`${app}/environments/dev`, {
      method: 'PUT',
      body: JSON.stringify({ config: { healthcheck: { intervalMs: 1000 } } }),
    });
    assert.equal(put.status, 400);
    assert.equal((await post(`${app}/environments/nope/deploy`, { image: 'x:1' })).status, 404);
  });

  it('deploys a digest to staging as a release run; the agent result completes the release', async () => {
    assert.equal(
      (await post(`${app}/environments/staging/deploy`, { imageDigest: DIGEST_A }, viewer)).status,
      403,
    );
    const res = await post(`${app}/environments/staging/deploy`, { imageDigest: DIGEST_A }, maintainer);
    assert.equal(res.status, 201, await res.clone().text());
    const release = (await res.json()) as {
      number: number;
      status: string;
      image: string;
      releaseRun: number;
    };
    assert.equal(release.status, 'queued');
    assert.equal(release.image, `reg.local/shop/api@${DIGEST_A}`);
    const run = (await (await t.api(`/api/projects/shop/runs/${release.releaseRun}`)).json()) as {
      trigger: string;
      jobs?: { name: string }[];
    };
    assert.equal(run.trigger, 'deploy');

    const lease = await agentRuns('succeeded');
    const d = lease.deployments?.deploy;
    assert.ok(d && !('refused' in d));
    assert.equal(d.image, `reg.local/shop/api@${DIGEST_A}`);
    // Releases follow their run through the delivery bus, and each step is a stored event.
    const stored = await t.server.ctx.db
      .selectFrom('delivery_events')
      .select(['type', 'payload'])
      .where('release_id', 'is not', null)
      .orderBy('id')
      .execute();
    assert.deepEqual(
      stored.filter((e) => JSON.parse(e.payload).number === 1).map((e) => e.type),
      ['release.started', 'release.succeeded'],
    );
    assert.equal(d.target, 'docker');
    assert.equal(d.spec.replicas, 2);
    assert.deepEqual(d.spec.ports, [{ published: 18080, target: 8080 }]);

    const [latest] = await releases('staging');
    assert.equal(latest?.status, 'succeeded');
    assert.equal(latest?.digest, DIGEST_A);
    assert.equal(latest?.actor, 'max');
  });

  it('gates production: the release waits until a maintainer approves; a viewer cannot approve', async () => {
    const res = await post(`${app}/environments/production/promote`, { from: 'staging' }, maintainer);
    assert.equal(res.status, 201, await res.clone().text());
    const release = (await res.json()) as {
      number: number;
      status: string;
      digest: string;
      promotedFrom: number;
    };
    assert.equal(release.status, 'awaiting_approval');
    assert.equal(release.digest, DIGEST_A, 'promote reuses the digest');
    assert.equal(release.promotedFrom, 1);
    // Nothing is leased while it waits.
    assert.equal(await t.server.ctx.queue.lease(agentId, 0), null);

    const approve = `${app}/environments/production/releases/${release.number}/approve`;
    assert.equal((await post(approve, {}, viewer)).status, 403);
    assert.equal(
      await t.server.ctx.queue.lease(agentId, 0),
      null,
      'still waiting after the refused approval',
    );
    const ok = await post(approve, {}, maintainer);
    assert.equal(ok.status, 202, await ok.clone().text());
    assert.equal((await post(approve, {}, maintainer)).status, 409, 'approving twice conflicts');

    const lease = await agentRuns('succeeded');
    const d = lease.deployments?.deploy;
    assert.ok(d && !('refused' in d));
    assert.equal(d.image, `reg.local/shop/api@${DIGEST_A}`);
    // Releases follow their run through the delivery bus, and each step is a stored event.
    const stored = await t.server.ctx.db
      .selectFrom('delivery_events')
      .select(['type', 'payload'])
      .where('release_id', 'is not', null)
      .orderBy('id')
      .execute();
    assert.deepEqual(
      stored.filter((e) => JSON.parse(e.payload).number === release.number).map((e) => e.type),
      ['approval.requested', 'approval.granted', 'release.started', 'release.succeeded'],
    );
    assert.equal(d.spec.replicas, 3);
    const apps = (await (await t.api('/api/projects/shop/applications')).json()) as {
      applications: {
        environments: { name: string; health: string; running: { digest: string } | null }[];
      }[];
    };
    const prod = apps.applications[0]?.environments.find((e) => e.name === 'production');
    assert.equal(prod?.health, 'healthy');
    assert.equal(prod?.running?.digest, DIGEST_A);
  });

  it('refuses promotion from an environment without a successful release', async () => {
    const put = await t.api(`${app}/environments/dev`, {
      method: 'PUT',
      body: JSON.stringify({ position: 0 }),
    });
    assert.equal(put.status, 201, await put.clone().text());
    const res = await post(`${app}/environments/production/promote`, { from: 'dev' });
    assert.equal(res.status, 409);
    assert.match(await res.text(), /no successful release/);
    assert.equal((await post(`${app}/environments/production/promote`, { from: 'qa' })).status, 400);
  });

  it('a failed rollout is recorded with its reason; rollback restores an earlier release as a new one', async () => {
    await post(`${app}/environments/staging/deploy`, { imageDigest: DIGEST_B });
    await agentRuns('rolled_back');
    const [failed] = await releases('staging');
    assert.equal(failed?.status, 'rolled_back');
    assert.equal(failed?.reason, 'health check failed');

    assert.equal(
      (await post(`${app}/environments/staging/rollback`, { release: failed?.number })).status,
      409,
    );
    const res = await post(`${app}/environments/staging/rollback`, { release: 1 });
    assert.equal(res.status, 201, await res.clone().text());
    const rb = (await res.json()) as {
      rollbackOf: number;
      digest: string;
      trigger: string;
      replicas: number;
    };
    assert.equal(rb.rollbackOf, 1);
    assert.equal(rb.trigger, 'rollback');
    assert.equal(rb.digest, DIGEST_A);
    await agentRuns('succeeded');
    const [latest] = await releases('staging');
    assert.equal(latest?.status, 'succeeded');
  });

  it('scales without a new image, recorded as a release; the environment keeps the new count', async () => {
    const res = await post(`${app}/environments/staging/scale`, { replicas: 4 });
    assert.equal(res.status, 201, await res.clone().text());
    const lease = await agentRuns('succeeded');
    const d = lease.deployments?.deploy;
    assert.ok(d && !('refused' in d));
    assert.equal(d.operation, 'scale');
    assert.equal(d.replicas, 4);
    const [latest] = await releases('staging');
    assert.equal(latest?.trigger, 'scale');
    assert.equal(latest?.digest, DIGEST_A);
    const apps = (await (await t.api(`${app}`)).json()) as {
      environments: { name: string; replicas: number; config: { replicas: number } }[];
    };
    const staging = apps.environments.find((e) => e.name === 'staging');
    assert.equal(staging?.config.replicas, 4);
    assert.equal(staging?.replicas, 4);
  });

  it('a release run canceled before an agent took it ends the release canceled', async () => {
    const res = await post(`${app}/environments/staging/deploy`, { image: 'reg.local/shop/api:canary' });
    const release = (await res.json()) as { releaseRun: number; digest: string | null };
    assert.equal(release.digest, null);
    const cancel = await post(`/api/projects/shop/runs/${release.releaseRun}/cancel`, {});
    assert.equal(cancel.status, 202);
    const [latest] = await releases('staging');
    assert.equal(latest?.status, 'canceled');
  });

  it('refuses a non-digest image for promotion into an approval-gated environment', async () => {
    // staging's last successful release is still the digest one; make a tag-only success in dev.
    await post(`${app}/environments/dev/deploy`, { image: 'reg.local/shop/api:latest' });
    await agentRuns('succeeded');
    const res = await post(`${app}/environments/production/promote`, { from: 'dev' });
    assert.equal(res.status, 409);
    assert.match(await res.text(), /digest/);
  });

  it('four-eyes: whoever requested a gated release cannot approve it; someone else can', async () => {
    const put = await t.api(`${app}/environments/audited`, {
      method: 'PUT',
      body: JSON.stringify({
        requiresApproval: true,
        config: { repository: 'reg.local/shop/api', fourEyes: true },
      }),
    });
    assert.equal(put.status, 201, await put.clone().text());
    const res = await post(`${app}/environments/audited/deploy`, { imageDigest: DIGEST_A }, maintainer);
    assert.equal(res.status, 201, await res.clone().text());
    const release = (await res.json()) as { number: number; status: string };
    assert.equal(release.status, 'awaiting_approval');
    const approve = `${app}/environments/audited/releases/${release.number}/approve`;
    const own = await post(approve, {}, maintainer);
    assert.equal(own.status, 403);
    // A code with params, so the UI says it in the reader's language (issue #14).
    const refusal = (await own.json()) as { error: { message: string; reason?: string; params?: unknown } };
    assert.match(refusal.error.message, /four-eyes/);
    assert.equal(refusal.error.reason, 'four_eyes');
    assert.deepEqual(refusal.error.params, { actor: 'max', target: 'api/audited', release: release.number });
    assert.equal(await t.server.ctx.queue.lease(agentId, 0), null, 'still waiting after the refusal');
    const other = await post(approve, {});
    assert.equal(other.status, 202, await other.clone().text());
    await agentRuns('succeeded');
  });

  it('documents the routes in the OpenAPI document', async () => {
    const res = await t.api('/api/openapi.json');
    assert.equal(res.status, 200);
    const doc = (await res.json()) as { paths: Record<string, unknown> };
    const paths = Object.keys(doc.paths);
    for (const suffix of ['/deploy', '/promote', '/rollback', '/scale', '/approve', '/releases', '/audit']) {
      assert.ok(
        paths.some((p) => p.endsWith(suffix)),
        `${suffix} in ${paths.join(' ')}`,
      );
    }
  });

  it('writes an audit row for every action', async () => {
    const res = await as(viewer)('/api/projects/shop/audit');
    assert.equal(res.status, 200);
    const { entries } = (await res.json()) as { entries: { action: string; actor: string }[] };
    const actions = entries.map((e) => e.action);
    for (const action of [
      'application.create',
      'environment.create',
      'release.deploy',
      'release.promote',
      'release.approve',
      'release.rollback',
      'release.scale',
    ]) {
      assert.ok(actions.includes(action), `${action} in ${actions.join(', ')}`);
    }
    assert.ok(entries.some((e) => e.action === 'release.approve' && e.actor === 'max'));
  });
});
