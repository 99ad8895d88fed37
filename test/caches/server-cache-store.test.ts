/**
 * Moving caches between agents through the server's cache store, for real: a real server
 * (HTTP, SQLite, the data directory), a real agent lease over the HTTP agent protocol, and jobs
 * on the real Docker engine. "Another agent" is this engine with its local cache volumes
 * removed: the second run can only get the cache from the server.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import Dockerode from 'dockerode';
import { pack } from 'tar-stream';
import { HttpTransport } from '../../src/agent/http-transport.js';
import type { CacheRemote } from '../../src/backends/cache-spec.js';
import { listGenerations, removeGeneration } from '../../src/backends/docker/cache-volumes.js';
import { DockerBackend } from '../../src/backends/docker/docker-backend.js';
import type { PipelineEvent } from '../../src/domain/event.js';
import { loadConfig } from '../../src/pipeline/config/load-config.js';
import { compilePlan } from '../../src/pipeline/plan/compile-plan.js';
import { PROTOCOL_HEADER, PROTOCOL_VERSION } from '../../src/protocol/agent-protocol.js';
import { runPipeline } from '../../src/runtime/run-pipeline.js';
import type { ProjectRow } from '../../src/server/store/tables.js';
import { seedProject, seedRun } from '../queue/queue-fixture.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { ensureBusyboxImage } from '../support/test-images.js';

const docker = new Dockerode();
const CAP = 100 * 1024;
let t: TestServer;
let busybox = '';
let agentToken = '';
let transport: HttpTransport;
const namespaces: string[] = [];

before(async () => {
  busybox = await ensureBusyboxImage(docker);
  // Leases outlive a slow job under load; one archive may be at most 100 KiB.
  t = await startTestServer({ SLIPWAY_LEASE_TIMEOUT: '10m', SLIPWAY_CACHE_MAX_BYTES: String(CAP) });
  const res = await t.api('/api/agents', { method: 'POST', body: JSON.stringify({ name: 'cache-agent' }) });
  assert.equal(res.status, 201, await res.clone().text());
  agentToken = ((await res.json()) as { token: string }).token;
  transport = new HttpTransport({ server: t.url, token: agentToken });
});

after(async () => {
  for (const namespace of namespaces) await dropLocal(namespace);
  await t?.close();
});

async function dropLocal(namespace: string): Promise<void> {
  for (const generation of await listGenerations(docker, undefined, { namespace })) {
    await removeGeneration(docker, generation);
  }
}

function pipeline(key: string, extra: { fallback?: string; bigFile?: boolean } = {}): string {
  const big = extra.bigFile ? "\n          - 'head -c 300000 /dev/urandom > /opt/deps/big.bin'" : '';
  const fallback = extra.fallback ? `\n          fallback_keys: [${extra.fallback}]` : '';
  return `version: 1
image: ${busybox}
stages:
  - name: test
    jobs:
      deps:
        script:
          - 'mkdir -p /opt/deps; if [ -f /opt/deps/installed.txt ]; then echo "installs nothing: $(cat /opt/deps/installed.txt)"; else echo installing; echo v1 > /opt/deps/installed.txt; fi'${big}
        cache:
          key: ${key}
          paths: [/opt/deps]${fallback}
`;
}

const EVENT: PipelineEvent = {
  kind: 'push',
  ref: { kind: 'branch', name: 'main' },
  sha: 'c'.repeat(40),
  author: 't',
  message: 'm',
};

async function newProject(): Promise<ProjectRow> {
  const project = await seedProject(t.server.ctx);
  namespaces.push(project.name);
  return project;
}

/** Queues a run of the project and takes its lease as an agent over HTTP. */
async function lease(project: ProjectRow, opts: { untrusted?: boolean } = {}) {
  await seedRun(t.server.ctx, project, { pipeline: pipeline('k'), untrusted: opts.untrusted ?? false });
  const got = await transport.lease(5000, new AbortController().signal);
  assert.ok(got, 'a lease');
  return got;
}

function remoteOf(leaseId: string): CacheRemote {
  return {
    download: (ref) => transport.cacheDownload(leaseId, ref),
    upload: (ref, tar) => transport.cacheUpload(leaseId, ref, tar),
  };
}

/** Runs the pipeline on Docker as the agent would for this lease; every log line. */
async function runWith(
  project: ProjectRow,
  key: string,
  opts: { untrusted?: boolean; fallback?: string; bigFile?: boolean } = {},
) {
  const held = await lease(project, opts);
  const loaded = loadConfig(pipeline(key, opts), 'test.yml');
  if (!loaded.config) throw new Error(JSON.stringify(loaded.diagnostics));
  const lines: string[] = [];
  const result = await runPipeline(compilePlan(loaded.config, EVENT), {
    runId: `srvcache-${randomUUID().slice(0, 8)}`,
    runNumber: 1,
    backend: new DockerBackend({ docker }),
    source: { kind: 'empty' },
    project: project.name,
    cacheRemote: remoteOf(held.leaseId),
    ...(held.trusted ? {} : { pushPolicy: { trusted: false, refusals: {} } }),
    onEvent: (e) => {
      if (e.type === 'log') lines.push(e.line.text);
    },
  });
  return { status: result.status, lines, text: lines.join('\n'), leaseId: held.leaseId };
}

async function serverCaches(project: ProjectRow) {
  const res = await t.api(`/api/projects/${project.name}/caches`);
  assert.equal(res.status, 200);
  return ((await res.json()) as { caches: { key: string; size: number; paths: string[] }[] }).caches;
}

function archiveUrl(leaseId: string, key: string): string {
  const query = new URLSearchParams({ key, paths: JSON.stringify(['/opt/deps']) });
  return `${t.url}/api/agent/leases/${leaseId}/caches/archive?${query}`;
}

function putRaw(leaseId: string, key: string, body: Buffer): Promise<Response> {
  return fetch(archiveUrl(leaseId, key), {
    method: 'PUT',
    headers: {
      authorization: `Bearer ${agentToken}`,
      [PROTOCOL_HEADER]: String(PROTOCOL_VERSION),
      'content-type': 'application/x-tar',
    },
    body: new Uint8Array(body),
  });
}

/** A tar with the given entries (files unless a linkname is given: then symlinks). */
async function tarOf(entries: { name: string; text?: string; linkname?: string; type?: 'directory' }[]) {
  const out = pack();
  for (const e of entries) {
    if (e.type === 'directory') out.entry({ name: e.name, type: 'directory' });
    else if (e.linkname) out.entry({ name: e.name, type: 'symlink', linkname: e.linkname });
    else out.entry({ name: e.name }, e.text ?? '');
  }
  out.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of out as unknown as Readable) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function blobs(): string[] {
  try {
    return readdirSync(join(t.dataDir, 'caches'));
  } catch {
    return [];
  }
}

describe("the server's cache store (real server, real Docker)", () => {
  test('a first run saves locally and uploads; on an agent without the cache the second run restores it from the server and installs nothing', async () => {
    const project = await newProject();
    const first = await runWith(project, 'deps-main');
    assert.equal(first.status, 'succeeded', first.text);
    assert.match(first.text, /cache: no cache for key deps-main; it is saved after the job/);
    assert.ok(first.lines.includes('installing'), first.text);
    assert.match(first.text, /cache: saved key deps-main/);
    assert.match(first.text, /cache: key deps-main uploaded to the server's cache store \(/);
    const listed = await serverCaches(project);
    assert.deepEqual(
      listed.map((c) => [c.key, c.paths]),
      [['deps-main', ['/opt/deps']]],
    );
    assert.ok((listed[0]?.size ?? 0) > 0);

    // "Another agent": nothing of this project's caches is left on the engine.
    await dropLocal(project.name);
    assert.equal((await listGenerations(docker, undefined, { namespace: project.name })).length, 0);

    const second = await runWith(project, 'deps-main');
    assert.equal(second.status, 'succeeded', second.text);
    assert.match(
      second.text,
      /cache: key deps-main restored from the server's cache store \(\d+(\.\d+)? [KMG]?i?B, \d+ ms\)/,
    );
    assert.ok(second.lines.includes('installs nothing: v1'), second.text);
    assert.ok(!second.lines.includes('installing'), second.text);
    // Restored from the server = saved on this agent now; a third run mounts the local one.
    assert.equal((await listGenerations(docker, undefined, { namespace: project.name })).length, 1);
    const third = await runWith(project, 'deps-main');
    assert.doesNotMatch(third.text, /server's cache store/);
    assert.ok(third.lines.includes('installs nothing: v1'), third.text);

    // A new key falls back to deps-main, which this agent no longer has: the server's copy.
    await dropLocal(project.name);
    const branch = await runWith(project, 'deps-feature', { fallback: 'deps-main' });
    assert.equal(branch.status, 'succeeded', branch.text);
    assert.match(branch.text, /cache: key deps-main restored from the server's cache store/);
    assert.match(
      branch.text,
      /cache: restored fallback key deps-main for deps-feature \(.*copied to be saved as deps-feature\)/,
    );
    assert.ok(branch.lines.includes('installs nothing: v1'), branch.text);
    assert.match(branch.text, /cache: key deps-feature uploaded to the server's cache store/);
    await t.api(`/api/projects/${project.name}/caches/deps-feature`, { method: 'DELETE' });

    // Cleared from Settings/API: gone from the list and from the disk.
    const before = blobs().length;
    const cleared = await t.api(`/api/projects/${project.name}/caches/deps-main`, { method: 'DELETE' });
    assert.equal(cleared.status, 200);
    assert.deepEqual(await cleared.json(), { removed: 1 });
    assert.deepEqual(await serverCaches(project), []);
    assert.equal(blobs().length, before - 1);
  });

  test('an archive over SLIPWAY_CACHE_MAX_BYTES is refused with 413 and nothing is stored', async () => {
    const project = await newProject();
    const held = await lease(project);
    const before = blobs();
    const res = await putRaw(held.leaseId, 'big', randomBytes(CAP + 4096));
    assert.equal(res.status, 413, await res.clone().text());
    assert.match(
      ((await res.json()) as { error: { message: string } }).error.message,
      /SLIPWAY_CACHE_MAX_BYTES/,
    );
    assert.deepEqual(await serverCaches(project), []);
    assert.deepEqual(blobs(), before, 'no archive and no temporary file left');
    // Under the cap it is stored (the same route, so the refusal was the size).
    const small = await putRaw(held.leaseId, 'small', await tarOf([{ name: '0/', type: 'directory' }]));
    assert.equal(small.status, 204, await small.text());
    assert.deepEqual(
      (await serverCaches(project)).map((c) => c.key),
      ['small'],
    );
    const all = await t.api(`/api/projects/${project.name}/caches`, { method: 'DELETE' });
    assert.deepEqual(await all.json(), { removed: 1 });

    // Through the agent: a saved cache over the cap is kept locally, refused by the server, said in the log.
    const big = await runWith(project, 'big-deps', { bigFile: true });
    assert.equal(big.status, 'succeeded', big.text);
    assert.match(big.text, /cache: saved key big-deps/);
    assert.match(
      big.text,
      /cache: key big-deps was not uploaded to the server's cache store: .*(413|larger than the server accepts)/,
    );
    assert.deepEqual(await serverCaches(project), []);
    assert.deepEqual(
      blobs().filter((name) => name.endsWith('.tmp')),
      [],
    );
  });

  test('a fork pull request run reads the server cache but uploads nothing (and the server refuses it)', async () => {
    const project = await newProject();
    const fork = await runWith(project, 'deps-fork', { untrusted: true });
    assert.equal(fork.status, 'succeeded', fork.text);
    assert.match(fork.text, /nothing is saved \(untrusted runs read caches but never write them\)/);
    assert.doesNotMatch(fork.text, /uploaded/);
    assert.deepEqual(await serverCaches(project), []);
    const refused = await putRaw(fork.leaseId, 'deps-fork', await tarOf([{ name: '0/', type: 'directory' }]));
    assert.equal(refused.status, 403);
    assert.deepEqual(await serverCaches(project), []);

    // A trusted run saves it; a later fork run restores it from the server.
    const trusted = await runWith(project, 'deps-fork');
    assert.match(trusted.text, /uploaded to the server's cache store/);
    await dropLocal(project.name);
    const again = await runWith(project, 'deps-fork', { untrusted: true });
    assert.match(again.text, /restored from the server's cache store/);
    assert.ok(again.lines.includes('installs nothing: v1'), again.text);
  });

  test('an archive with an entry leaving the cache (.., a symlink outside) is refused on restore; the job runs without it', async () => {
    const project = await newProject();
    const held = await lease(project);
    const traversal = await tarOf([
      { name: '0/', type: 'directory' },
      { name: '0/installed.txt', text: 'v-evil\n' },
      { name: '0/../../etc/slipway-evil', text: 'x' },
    ]);
    assert.equal((await putRaw(held.leaseId, 'evil-dots', traversal)).status, 204);
    const symlink = await tarOf([
      { name: '0/', type: 'directory' },
      { name: '0/etc', linkname: '/etc' },
      { name: '0/installed.txt', text: 'v-evil\n' },
    ]);
    assert.equal((await putRaw(held.leaseId, 'evil-link', symlink)).status, 204);

    for (const [key, why] of [
      ['evil-dots', /".." is not allowed/],
      ['evil-link', /the link points outside \/opt\/deps \(to \/etc\)/],
    ] as const) {
      const run = await runWith(project, key);
      assert.equal(run.status, 'succeeded', run.text);
      assert.match(
        run.text,
        new RegExp(`cache: key ${key} from the server's cache store was not restored: .*`),
      );
      assert.match(run.text, why);
      assert.match(run.text, new RegExp(`cache: no cache for key ${key}; it is saved after the job`));
      assert.ok(run.lines.includes('installing'), run.text);
      assert.doesNotMatch(run.text, /v-evil/);
    }
  });
});
