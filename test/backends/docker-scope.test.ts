/**
 * Two installations (two servers, each with its own installation id) on one real engine: every
 * cleanup of one — pruning kept workspaces, reaping what a crash left, tearing a run down —
 * never touches the other's resources, nor does an unscoped `slipway exec` sweep.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import Dockerode from 'dockerode';
import type { RunSetup } from '../../src/backends/backend.js';
import { pruneWorkspaceVolumes } from '../../src/backends/docker/cleanup.js';
import { DockerBackend, reapStale } from '../../src/backends/docker/docker-backend.js';
import { ensureBusyboxImage } from '../support/test-images.js';

const docker = new Dockerode();
let image = '';
const scopeA = `test-a-${randomUUID()}`;
const scopeB = `test-b-${randomUUID()}`;
const serverA = new DockerBackend({ docker, scope: scopeA });
const serverB = new DockerBackend({ docker, scope: scopeB });
/** An owner that is gone: reapStale judges by it. */
const GONE = { 'io.slipway.owner': 'gone-host:1' };

before(async () => {
  image = await ensureBusyboxImage(docker);
});

const newRunId = () => `scope-${randomUUID().slice(0, 8)}`;

function setup(runId: string): RunSetup {
  return { runId, workspacePath: '/workspace', source: { kind: 'empty' }, images: [image], labels: GONE };
}

/** Every resource of a run on the engine, whoever created it. */
async function resourcesOf(runId: string): Promise<string[]> {
  const filters = { label: [`io.slipway.run=${runId}`] };
  const [containers, networks, volumes] = await Promise.all([
    docker.listContainers({ all: true, filters }),
    docker.listNetworks({ filters }),
    docker.listVolumes({ filters }),
  ]);
  return [
    ...containers.map(() => 'container'),
    ...networks.map(() => 'network'),
    ...(volumes.Volumes ?? []).map(() => 'volume'),
  ].sort();
}

/** What a crash mid-job leaves of a run: a container and a network with the run's labels. */
async function leaveBehind(backend: DockerBackend, runId: string): Promise<void> {
  await backend.setupRun(setup(runId));
  const labels = {
    ...GONE,
    'io.slipway.managed': 'true',
    'io.slipway.run': runId,
    'io.slipway.installation': backend.installation as string,
  };
  await docker.createContainer({ Image: image, Cmd: ['true'], Labels: labels });
  await docker.createNetwork({ Name: `slipway-${runId}-net`, Labels: labels });
}

describe('cleanup is scoped to the installation', { timeout: 120_000 }, () => {
  const runsA = [newRunId(), newRunId()];
  const runsB = [newRunId(), newRunId()];
  after(async () => {
    for (const runId of runsA) await serverA.destroyRun(runId).catch(() => {});
    for (const runId of runsB) await serverB.destroyRun(runId).catch(() => {});
  });

  test("one installation's pruner, reaper and teardown never touch the other's resources", async () => {
    const [keptA, crashedA] = runsA as [string, string];
    const [keptB, crashedB] = runsB as [string, string];
    // Each keeps a workspace (a failed run, for resume) and has a run a crash left behind.
    for (const [backend, kept, crashed] of [
      [serverA, keptA, crashedA],
      [serverB, keptB, crashedB],
    ] as const) {
      await backend.setupRun(setup(kept));
      await backend.destroyRun(kept, { keepWorkspace: true });
      await leaveBehind(backend, crashed);
    }
    assert.deepEqual(await resourcesOf(keptB), ['volume']);
    assert.deepEqual(await resourcesOf(crashedB), ['container', 'network', 'volume']);

    // A prunes every kept workspace older than "now + 1 min" (all of them, were they its own).
    const pruned = await serverA.pruneWorkspaces(Date.now() + 60_000, new Set());
    assert.deepEqual(pruned, [crashedA, keptA].sort());
    // A reaps runs whose owner is gone (every one here has a gone owner).
    const reaped = await reapStale(docker, () => false, { scope: scopeA });
    assert.deepEqual(reaped, [crashedA]);
    // A tears down a run id it does not own (a bug, or a shared id): nothing of B's goes.
    await serverA.destroyRun(crashedB);
    // An unscoped sweep (`slipway exec`) claims nothing that carries an installation.
    await pruneWorkspaceVolumes(docker, Date.now() + 60_000, new Set());
    await reapStale(docker, (labels) => labels['io.slipway.owner'] !== GONE['io.slipway.owner']);

    assert.deepEqual(await resourcesOf(keptA), []);
    assert.deepEqual(await resourcesOf(crashedA), []);
    assert.deepEqual(await resourcesOf(keptB), ['volume'], "B's kept workspace stays");
    assert.deepEqual(await resourcesOf(crashedB), ['container', 'network', 'volume'], "B's leftovers stay");

    // B's own cleanup still finds all of it (as its agent runs them: reap keeping workspaces, then prune).
    assert.deepEqual(await reapStale(docker, () => false, { scope: scopeB, keepWorkspace: true }), [
      crashedB,
    ]);
    assert.deepEqual(await serverB.pruneWorkspaces(Date.now() + 60_000, new Set()), [crashedB, keptB].sort());
    assert.deepEqual(await resourcesOf(keptB), []);
    assert.deepEqual(await resourcesOf(crashedB), []);
  });

  test('everything a scoped backend creates carries its installation label', async () => {
    const runId = newRunId();
    runsA.push(runId);
    await serverA.setupRun({ ...setup(runId), labels: { 'io.slipway.installation': scopeB } });
    const { Volumes: volumes } = await docker.listVolumes({
      filters: { label: [`io.slipway.run=${runId}`] },
    });
    assert.equal(volumes?.length, 1);
    assert.equal(volumes?.[0]?.Labels?.['io.slipway.installation'], scopeA, 'a caller cannot move it to B');
    await serverA.destroyRun(runId);
    assert.deepEqual(await resourcesOf(runId), []);
  });
});
