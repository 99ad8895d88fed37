/**
 * What the agent needs from the Docker backend beyond `slipway exec`: the source as a tar
 * stream, workspaces kept after a run and continued by a resume, pruning by age, and reaping a
 * dead owner's containers without losing its workspaces. Real engine, busybox test image.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import Dockerode from 'dockerode';
import { pack } from 'tar-fs';
import type { JobOutput, JobSpec, RunSetup } from '../../src/backends/backend.js';
import { reapStale } from '../../src/backends/docker/cleanup.js';
import { DockerBackend } from '../../src/backends/docker/docker-backend.js';
import { ensureBusyboxImage } from '../support/test-images.js';

const docker = new Dockerode();
const backend = new DockerBackend({ docker });
let image = '';
let sourceDir = '';
const owner = `test-workspace:${process.pid}`;
const created: string[] = [];

before(async () => {
  image = await ensureBusyboxImage(docker);
  sourceDir = await mkdtemp(join(tmpdir(), 'slipway-archive-'));
  await mkdir(join(sourceDir, 'docs'));
  await writeFile(join(sourceDir, 'docs', 'hello.txt'), 'hello from the archive\n');
});

after(async () => {
  for (const runId of created) await backend.destroyRun(runId).catch(() => {});
  await rm(sourceDir, { recursive: true, force: true });
});

function newRunId(): string {
  const id = `ws-${randomUUID().slice(0, 8)}`;
  created.push(id);
  return id;
}

let opened = 0;
function setup(runId: string, extra: Partial<RunSetup> = {}): RunSetup {
  return {
    runId,
    workspacePath: '/workspace',
    source: {
      kind: 'archive',
      open: async () => {
        opened++;
        return pack(sourceDir) as unknown as Readable;
      },
    },
    images: [image],
    labels: { 'io.slipway.owner': owner },
    ...extra,
  };
}

async function run(runId: string, script: string): Promise<{ exit: number | null; out: string }> {
  let out = '';
  const output: JobOutput = { write: (_s, chunk) => (out += chunk.toString()), system: () => {} };
  const job: JobSpec = {
    runId,
    name: 'job',
    image,
    script,
    env: {},
    services: [],
    workspacePath: '/workspace',
    graceMs: 1000,
  };
  const outcome = await backend.runJob(job, output, new AbortController().signal);
  return { exit: outcome.kind === 'exited' ? outcome.exitCode : null, out };
}

async function volumesOf(runId: string): Promise<string[]> {
  const { Volumes } = await docker.listVolumes({ filters: { label: [`io.slipway.run=${runId}`] } });
  return (Volumes ?? []).map((v) => v.Name);
}

async function containersOf(runId: string): Promise<string[]> {
  const list = await docker.listContainers({ all: true, filters: { label: [`io.slipway.run=${runId}`] } });
  return list.map((c) => c.Id);
}

describe('Docker workspaces for agents', { timeout: 120_000 }, () => {
  test('unpacks the source archive, keeps the workspace, and a resume continues in it', async () => {
    const first = newRunId();
    opened = 0;
    await backend.setupRun(setup(first));
    assert.deepEqual(await run(first, 'cat docs/hello.txt && echo built > artifact.txt'), {
      exit: 0,
      out: 'hello from the archive\n',
    });
    await backend.destroyRun(first, { keepWorkspace: true });
    assert.equal((await volumesOf(first)).length, 1, 'the workspace stays');
    assert.deepEqual(await containersOf(first), [], 'containers go');

    const resume = newRunId();
    await backend.setupRun(setup(resume, { workspaceId: first, reuseWorkspace: true }));
    assert.equal(opened, 1, 'a reused workspace does not download the source again');
    assert.deepEqual(await run(resume, 'cat artifact.txt'), { exit: 0, out: 'built\n' });
    await backend.destroyRun(resume, { keepWorkspace: true });

    // Reuse asked for, but this engine never had that workspace: start from the source.
    const elsewhere = newRunId();
    await backend.setupRun(setup(elsewhere, { workspaceId: `gone-${randomUUID()}`, reuseWorkspace: true }));
    assert.equal(opened, 2);
    assert.deepEqual(await run(elsewhere, 'cat docs/hello.txt; test -e artifact.txt || echo fresh'), {
      exit: 0,
      out: 'hello from the archive\nfresh\n',
    });
    await backend.destroyRun(elsewhere);
    assert.deepEqual(await volumesOf(elsewhere), [], 'not kept: removed with the run');
  });

  test('prunes kept workspaces older than the retention, except those in use', async () => {
    const old = newRunId();
    const busy = newRunId();
    for (const id of [old, busy]) {
      await backend.setupRun(setup(id, { source: { kind: 'empty' } }));
      await backend.destroyRun(id, { keepWorkspace: true });
    }
    // Other test files may have workspaces on this engine right now: count them in use.
    const { Volumes } = await docker.listVolumes({ filters: { label: ['io.slipway.workspace'] } });
    const others = (Volumes ?? [])
      .map((v) => v.Labels?.['io.slipway.workspace'] ?? '')
      .filter((id) => id !== old);
    const removed = await backend.pruneWorkspaces(Date.now() + 1000, new Set(others));
    assert.ok(removed.includes(old));
    assert.ok(!removed.includes(busy));
    assert.deepEqual(await volumesOf(old), []);
    assert.equal((await volumesOf(busy)).length, 1);
    assert.deepEqual(await backend.pruneWorkspaces(Date.now() - 60_000, new Set(others)), [], 'too young');
  });

  test("reaping a dead owner's runs removes their containers but keeps their workspaces", async () => {
    const orphan = newRunId();
    const deadOwner = `test-workspace-dead:${randomUUID()}`;
    await backend.setupRun(setup(orphan, { labels: { 'io.slipway.owner': deadOwner } }));
    const job = run(orphan, 'sleep 300');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal((await containersOf(orphan)).length, 1);
    const reaped = await reapStale(docker, (labels) => labels['io.slipway.owner'] !== deadOwner, {
      keepWorkspace: true,
    });
    assert.deepEqual(reaped, [orphan]);
    await job;
    assert.deepEqual(await containersOf(orphan), []);
    assert.equal((await volumesOf(orphan)).length, 1);
  });
});
