/**
 * Warm containers (issue #11) on the real engine, through the runtime: a run of a pool whose
 * previous run prepared a set gets its jobs into those pre-started containers (evidence: the
 * job's $HOSTNAME is one of the idle containers listed before the run), and the runtime's
 * semantics hold there exactly — workspace, environment, masking, exit codes, cancel, timeout,
 * confinement, cleanup. Each test uses its own installation scope and pool key.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Dockerode from 'dockerode';
import type { WorkspaceSource } from '../../src/backends/backend.js';
import { destroyRunResources } from '../../src/backends/docker/cleanup.js';
import { DockerBackend } from '../../src/backends/docker/docker-backend.js';
import { KEPT_CAPABILITIES } from '../../src/backends/docker/hardening.js';
import { collectWarm } from '../../src/backends/docker/warm-pool.js';
import type { PipelineEvent } from '../../src/domain/event.js';
import { loadConfig } from '../../src/pipeline/config/load-config.js';
import { compilePlan } from '../../src/pipeline/plan/compile-plan.js';
import type { Plan } from '../../src/pipeline/plan/plan.js';
import { type RunOptions, runPipeline } from '../../src/runtime/run-pipeline.js';
import type { RunResult } from '../../src/runtime/run-result.js';
import { ensureBusyboxImage } from '../support/test-images.js';

const docker = new Dockerode();
const scope = `warm-test-${randomUUID().slice(0, 8)}`;
const backend = new DockerBackend({ docker, scope, warm: { maxContainers: 4 } });
let image = '';
let sourceDir = '';

const EVENT: PipelineEvent = {
  kind: 'push',
  ref: { kind: 'branch', name: 'main' },
  sha: '0123456789abcdef0123456789abcdef01234567',
  author: 'test',
  message: 'test',
};

before(async () => {
  image = await ensureBusyboxImage(docker);
  sourceDir = await mkdtemp(join(tmpdir(), 'slipway-warm-src-'));
  await writeFile(join(sourceDir, 'from-source.txt'), 'source file\n');
});

after(async () => {
  await backend.close();
  // Whatever a failed assertion left: containers first, then volumes, all of this scope only.
  const filters = { label: [`io.slipway.installation=${scope}`] };
  for (const c of await docker.listContainers({ all: true, filters }))
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => {});
  for (const v of (await docker.listVolumes({ filters })).Volumes ?? [])
    await docker
      .getVolume(v.Name)
      .remove()
      .catch(() => {});
  await rm(sourceDir, { recursive: true, force: true });
});

function plan(yaml: string): Plan {
  const loaded = loadConfig(`version: 1\nimage: ${image}\n${yaml}`, 'warm.yml');
  assert.ok(loaded.config, JSON.stringify(loaded.diagnostics));
  return compilePlan(loaded.config, EVENT);
}

interface Ran {
  result: RunResult;
  logs: Map<string, string[]>;
}

async function run(p: Plan, key: string, options: Partial<RunOptions> = {}): Promise<Ran> {
  const logs = new Map<string, string[]>();
  const source: WorkspaceSource = { kind: 'directory', path: sourceDir, files: ['from-source.txt'] };
  const result = await runPipeline(p, {
    runId: `wt-${randomUUID().slice(0, 8)}`,
    runNumber: 1,
    backend,
    source,
    graceMs: 1000,
    warmPool: key,
    ...options,
    onEvent: (e) => {
      if (e.type === 'log') logs.set(e.job, [...(logs.get(e.job) ?? []), e.line.text]);
      options.onEvent?.(e);
    },
  });
  return { result, logs };
}

/** Short ids of the idle warm containers waiting now (what $HOSTNAME shows inside one). */
async function idleWarm(): Promise<{ ids: Set<string>; containers: Dockerode.ContainerInfo[] }> {
  await backend.warmSettled();
  const containers = (
    await docker.listContainers({
      filters: { label: [`io.slipway.installation=${scope}`, 'io.slipway.warm-pool'] },
    })
  ).filter((c) => /^\/slipway-warm-[0-9a-f]{12}-/.test(c.Names[0] ?? ''));
  return { ids: new Set(containers.map((c) => c.Id.slice(0, 12))), containers };
}

function hostOf(ran: Ran, job: string): string {
  const line = ran.logs.get(job)?.find((l) => l.startsWith('host='));
  assert.ok(line, `job ${job} printed no host: ${JSON.stringify(ran.logs.get(job))}`);
  return line.slice('host='.length);
}

describe('warm containers', { timeout: 300_000 }, () => {
  test('a repeat run takes pre-started containers with the same workspace, environment and masking', async () => {
    const p = plan(`env:
  TRICKY: "it's $(echo no) \`echo no\` $HOME \\"q\\""
stages:
  - name: first
    jobs:
      write:
        secrets: [TOKEN]
        script:
          - echo "host=$HOSTNAME"
          - echo "real=$(pwd -P) shlvl=$SHLVL"
          - cat from-source.txt
          - echo "$TRICKY"
          - echo "token $TOKEN"
          - echo made-here > made.txt
  - name: second
    jobs:
      read:
        script:
          - echo "host=$HOSTNAME"
          - cat made.txt
          - exit 7
`);
    const secrets = { TOKEN: 'sw0rdfish-secret' };
    const cold = await run(p, 'repeat', { secrets });
    const warm = await idleWarm();
    assert.equal(warm.ids.size, 2, 'the first run prepared one container per job');
    for (const c of warm.containers) {
      const { HostConfig: host } = await docker.getContainer(c.Id).inspect();
      assert.deepEqual(host.CapDrop, ['ALL']);
      assert.deepEqual(host.CapAdd, [...KEPT_CAPABILITIES]);
      assert.deepEqual(host.SecurityOpt, ['no-new-privileges:true']);
      assert.equal(host.Init, true);
      assert.ok((host.Memory ?? 0) > 0 && (host.PidsLimit ?? 0) > 0, 'limits are set at create time');
    }

    const again = await run(p, 'repeat', { secrets });
    for (const ran of [cold, again]) {
      assert.deepEqual(
        ran.result.jobs.map((j) => `${j.name}:${j.status}:${j.exitCode}`),
        ['write:succeeded:0', 'read:failed:7'],
      );
      const write = ran.logs.get('write') ?? [];
      assert.ok(write.includes('real=/workspace shlvl=1'), write.join('\n'));
      assert.ok(write.includes('source file'));
      assert.ok(write.includes(`it's $(echo no) \`echo no\` $HOME "q"`), 'values are never interpreted');
      assert.ok(write.includes('token ********'), 'the secret is masked');
      assert.ok(!write.join('\n').includes('sw0rdfish'));
      assert.ok((ran.logs.get('read') ?? []).includes('made-here'), 'the next stage sees the workspace');
    }
    assert.ok(!warm.ids.has(hostOf(cold, 'write')));
    assert.ok(warm.ids.has(hostOf(again, 'write')), 'the repeat run used a warm container');
    assert.ok(warm.ids.has(hostOf(again, 'read')));
  });

  test('cancel and timeout stop a warm job as they stop a fresh one', async () => {
    const p = plan(`stages:
  - name: s
    jobs:
      slow:
        timeout: 2s
        script:
          - echo "host=$HOSTNAME"
          - trap 'echo got-term; exit 143' TERM
          - sleep 300 & wait
`);
    await run(p, 'stop');
    const timedOut = await run(p, 'stop');
    const [slow] = timedOut.result.jobs;
    assert.equal(slow?.status, 'failed');
    assert.equal(slow?.failure?.reason, 'timeout');
    assert.ok((timedOut.logs.get('slow') ?? []).includes('got-term'), 'SIGTERM reached the job');

    const before = await idleWarm();
    const cancel = new AbortController();
    const canceled = await run(p, 'stop', {
      signal: cancel.signal,
      onEvent: (e) => {
        if (e.type === 'log' && e.line.text.startsWith('host=')) cancel.abort();
      },
    });
    assert.equal(canceled.result.status, 'canceled');
    assert.equal(canceled.result.jobs[0]?.status, 'canceled');
    assert.ok(before.ids.has(hostOf(canceled, 'slow')), 'the canceled job was in a warm container');
    const left = await docker.listContainers({ all: true, filters: { name: [canceled.result.runId] } });
    assert.deepEqual(left, [], 'nothing of the canceled run is left');
  });

  test('other pools, and jobs with services, never get these containers', async () => {
    const p = plan(`stages:
  - name: s
    jobs:
      j:
        script:
          - echo "host=$HOSTNAME"
`);
    await run(p, 'trusted');
    const trusted = await idleWarm();
    const other = await run(p, 'untrusted');
    assert.ok(!trusted.ids.has(hostOf(other, 'j')), 'a pool of another key took nothing');
    const withService = plan(`stages:
  - name: s
    jobs:
      j:
        services:
          db: { image: ${image}, command: ["sleep", "300"] }
        script:
          - echo "host=$HOSTNAME"
`);
    const fresh = await run(withService, 'trusted');
    assert.equal(fresh.result.status, 'succeeded');
    assert.ok(!(await idleWarm()).ids.has(hostOf(fresh, 'j')));
  });

  test('a crashed run’s claimed containers are removed by its cleanup; close removes idle sets', async () => {
    const p = plan(`stages:
  - name: s
    jobs:
      j: { script: ["true"] }
`);
    await run(p, 'crash');
    await idleWarm();
    const crashed = new DockerBackend({ docker, scope });
    const runId = `wt-crash-${randomUUID().slice(0, 8)}`;
    await crashed.setupRun({
      runId,
      workspacePath: '/workspace',
      source: { kind: 'empty' },
      images: [image],
      labels: {},
      warmPool: 'crash',
    });
    const claimed = await docker.listContainers({ all: true, filters: { name: [runId] } });
    assert.equal(claimed.length, 1, 'the set was claimed under the run’s name');
    // The process "crashed": another one cleans the run up by its id.
    await destroyRunResources(docker, runId, { scope });
    assert.deepEqual(await docker.listContainers({ all: true, filters: { name: [runId] } }), []);
    await collectWarm(docker, scope, 0);

    await backend.close();
    const filters = { label: [`io.slipway.installation=${scope}`] };
    assert.deepEqual(await docker.listContainers({ all: true, filters }), []);
    assert.deepEqual((await docker.listVolumes({ filters })).Volumes ?? [], [], 'no data volume is left');
  });
});
