/**
 * Security rule 1 for builds: an untrusted run (fork pull request) builds, but never pushes.
 * Server side (through the agent API, as a standalone agent speaks it): its lease says
 * `trusted: false` and carries no registry credentials; a `pushed` image it reports anyway is
 * recorded as local and starts no auto release; its deploy jobs are refused. Agent side (real
 * engine, real open registry — one that needs no credentials): the runtime obeys the flag, the
 * image stays local, and the job log says why.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Dockerode from 'dockerode';
import type { ImagesJsonType } from '../../src/api/images.js';
import { DockerBackend } from '../../src/backends/docker/docker-backend.js';
import type { PipelineEvent } from '../../src/domain/event.js';
import { loadConfig } from '../../src/pipeline/config/load-config.js';
import { compilePlan } from '../../src/pipeline/plan/compile-plan.js';
import { type BuiltImageMessage, type LeaseMessage, leaseSchema } from '../../src/protocol/agent-protocol.js';
import { runPipeline } from '../../src/runtime/run-pipeline.js';
import type { RunEvent } from '../../src/runtime/run-result.js';
import type { ProjectRow } from '../../src/server/store/tables.js';
import { newRunId, removeRepository } from '../images/build-support.js';
import { seedRun } from '../queue/queue-fixture.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { ensureBusyboxImage } from '../support/test-images.js';

const REPO = '127.0.0.1:5000/team/api';

const BUILD_AND_DEPLOY = `version: 1
stages:
  - name: build
    jobs:
      image:
        build: { image: ${REPO} }
  - name: ship
    jobs:
      deploy: { deploy: { app: api, env: dev, from: image } }
`;

describe('untrusted runs on the server', () => {
  let t: TestServer;
  let agentToken: string;
  let project: ProjectRow;

  const agentCall = (path: string, body: unknown) =>
    fetch(`${t.url}/api/agent${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${agentToken}`,
        'x-slipway-protocol': '1',
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });

  before(async () => {
    t = await startTestServer({ SLIPWAY_OUTBOUND_ALLOWLIST: '127.0.0.1', SLIPWAY_EMBEDDED_AGENT: 'false' });
    const agent = await t.api('/api/agents', {
      method: 'POST',
      body: JSON.stringify({ name: 'fork-agent' }),
    });
    agentToken = ((await agent.json()) as { token: string }).token;
    const name = `fork-${randomUUID().slice(0, 6)}`;
    const created = await t.api('/api/projects', {
      method: 'POST',
      body: JSON.stringify({ name, source: { kind: 'builtin' } }),
    });
    assert.equal(created.status, 201, await created.text());
    project = await t.server.ctx.db
      .selectFrom('projects')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirstOrThrow();
    const reg = await t.api(`/api/projects/${name}/registries`, {
      method: 'POST',
      body: JSON.stringify({ host: '127.0.0.1:5000', username: 'ci', password: 'push-password-1' }),
    });
    assert.equal(reg.status, 201, await reg.text());
    // An environment that would auto-release every build of main from this repository.
    const app = await t.api(`/api/projects/${name}/applications`, {
      method: 'POST',
      body: JSON.stringify({
        name: 'api',
        environments: [
          { name: 'dev', config: { repository: REPO } },
          { name: 'auto', config: { repository: REPO }, autoRelease: { branches: ['main'] } },
        ],
      }),
    });
    assert.equal(app.status, 201, await app.text());
  });
  after(async () => {
    await t?.close();
  });

  test('the lease says untrusted, carries no credentials, and refuses the deploy job', async () => {
    const { runId } = await seedRun(t.server.ctx, project, { pipeline: BUILD_AND_DEPLOY, untrusted: true });
    const res = await agentCall('/lease', { waitMs: 2000 });
    assert.equal(res.status, 200);
    const lease = (await res.json()) as LeaseMessage;
    assert.equal(lease.runId, runId);
    assert.equal(lease.trusted, false);
    assert.deepEqual(lease.registries, []);
    assert.ok(!JSON.stringify(lease).includes('push-password-1'));
    const deploy = lease.deployments?.deploy;
    assert.ok(deploy && 'refused' in deploy, JSON.stringify(lease.deployments));
    assert.match(deploy.refused, /untrusted/);

    // A modified agent reports a push anyway: recorded as a local image, no auto release.
    const pushed: BuiltImageMessage = {
      repository: REPO,
      tags: ['latest'],
      digest: `sha256:${'e'.repeat(64)}`,
      imageId: `sha256:${'f'.repeat(64)}`,
      size: 1000,
      pushed: true,
      registry: '127.0.0.1:5000',
    };
    const base = {
      name: 'image',
      stage: 'build',
      allowFailure: false,
      failure: null,
      skip: null,
      startedAt: 1,
    };
    const jobs = `/leases/${lease.leaseId}/jobs`;
    assert.equal(
      (await agentCall(jobs, { ...base, status: 'running', exitCode: null, finishedAt: null })).status,
      200,
    );
    const done = await agentCall(jobs, {
      ...base,
      status: 'succeeded',
      exitCode: 0,
      finishedAt: 2,
      image: pushed,
    });
    assert.equal(done.status, 200);

    const images = (await (await t.api(`/api/projects/${project.name}/images`)).json()) as ImagesJsonType;
    const tag = images.repositories.find((r) => r.repository === REPO)?.tags[0];
    assert.ok(tag, JSON.stringify(images));
    assert.equal(tag.pushed, false);
    assert.equal(tag.registry, null);
    assert.equal(tag.digest, null);

    const releases = await t.api(`/api/projects/${project.name}/applications/api/releases`);
    assert.equal(releases.status, 200);
    assert.deepEqual(((await releases.json()) as { releases: unknown[] }).releases, []);
    await agentCall(`/leases/${lease.leaseId}/finish`, {
      status: 'succeeded',
      startedAt: 1,
      finishedAt: 3,
      error: null,
    });
  });

  test('a trusted run of the same project gets trusted: true and its credentials', async () => {
    await seedRun(t.server.ctx, project, { pipeline: BUILD_AND_DEPLOY });
    const lease = (await (await agentCall('/lease', { waitMs: 2000 })).json()) as LeaseMessage;
    assert.equal(lease.trusted, true);
    assert.deepEqual(
      lease.registries.map((r) => r.host),
      ['127.0.0.1:5000'],
    );
    assert.deepEqual(lease.pushRefusals, {});
    await agentCall(`/leases/${lease.leaseId}/finish`, {
      status: 'failed',
      startedAt: 1,
      finishedAt: 3,
      error: 'not run by this test',
    });
  });

  test('a lease from an older server (no `trusted`) reads as trusted', () => {
    const old = leaseSchema.parse({
      leaseId: 'l',
      runId: 'r',
      projectId: 'p',
      runNumber: 1,
      plan: {},
      jobs: [],
      runManual: false,
      reuseWorkspace: false,
      workspaceId: 'r',
      secrets: {},
      maxLogBytes: 1,
      heartbeatMs: 1,
    });
    assert.equal(old.trusted, true);
  });
});

describe('the runtime obeys trusted: false (real engine, open registry)', () => {
  const docker = new Dockerode();
  const backend = new DockerBackend({ docker });
  let registry: TestRegistry;
  let dir: string;
  const repositories: string[] = [];
  const event: PipelineEvent = {
    kind: 'pull_request',
    ref: { kind: 'branch', name: 'main' },
    sha: '0123456789abcdef0123456789abcdef01234567',
    author: 'forker',
    message: 'innocent change',
    defaultBranch: 'main',
  };

  before(async () => {
    await ensureBusyboxImage(docker);
    registry = await startRegistry(); // open: anyone may push, no credentials needed
    dir = await mkdtemp(join(tmpdir(), 'slipway-untrusted-build-'));
    await writeFile(join(dir, 'Dockerfile'), 'FROM slipway-test/busybox:1\nRUN echo fork > /fork\n');
  });
  after(async () => {
    for (const repo of repositories) await removeRepository(docker, repo);
    await registry?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('the image is built but stays local; the log says why; the registry has no tag', async () => {
    const runId = newRunId();
    const repoPath = `slipway-test-build/${runId}`;
    const repository = `${registry.host}/${repoPath}`;
    repositories.push(repository);
    const loaded = loadConfig(
      `version: 1\nstages:\n  - name: b\n    jobs:\n      image: { build: { image: "${repository}", tags: [latest] } }\n`,
      '.slipway.yml',
    );
    assert.ok(loaded.config, JSON.stringify(loaded.diagnostics));
    const events: RunEvent[] = [];
    const result = await runPipeline(compilePlan(loaded.config, event), {
      runId,
      runNumber: 1,
      backend,
      source: { kind: 'directory', path: dir, files: ['Dockerfile'] },
      pushPolicy: { trusted: false, refusals: {} },
      onEvent: (e) => events.push(e),
    });
    const log = events.flatMap((e) => (e.type === 'log' ? [e.line.text] : [])).join('\n');
    const job = result.jobs[0];
    assert.equal(result.status, 'succeeded', `${JSON.stringify(job)}\n${log}`);
    assert.equal(job?.image?.pushed, false);
    assert.equal(job?.image?.registry, null);
    assert.match(log, /not pushing .*untrusted event \(a fork pull request\)/);
    assert.doesNotMatch(log, /^pushing /m);
    assert.equal(await registry.manifestDigest(repoPath, 'latest'), null, 'nothing reached the registry');
    await docker.getImage(`${repository}:latest`).inspect(); // built, present locally
  });

  test('a push target the server refused fails the job with its message, before building', async () => {
    const runId = newRunId();
    const repository = `${registry.host}/slipway-test-build/${runId}`;
    repositories.push(repository);
    const loaded = loadConfig(
      `version: 1\nstages:\n  - name: b\n    jobs:\n      image: { build: { image: "${repository}" } }\n`,
      '.slipway.yml',
    );
    assert.ok(loaded.config);
    const refusal = `job "image": the server refuses to push to ${registry.host}: … (add it to SLIPWAY_OUTBOUND_ALLOWLIST to allow pushes there)`;
    const result = await runPipeline(compilePlan(loaded.config, { ...event, kind: 'push' }), {
      runId,
      runNumber: 1,
      backend,
      source: { kind: 'directory', path: dir, files: ['Dockerfile'] },
      pushPolicy: { trusted: true, refusals: { image: refusal } },
    });
    assert.equal(result.jobs[0]?.status, 'failed');
    assert.equal(result.jobs[0]?.failure?.message, refusal);
  });
});
