/**
 * A whole `.slipway.yml` with a build job, run by the runtime on the Docker backend: the job
 * result carries the image; a test job of a later stage runs the image the build made; the
 * registry password is masked in the log; deploy jobs and backends without builds fail clearly.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Dockerode from 'dockerode';
import { DockerBackend } from '../../src/backends/docker/docker-backend.js';
import { LocalBackend } from '../../src/backends/local/local-backend.js';
import type { PipelineEvent } from '../../src/domain/event.js';
import { loadConfig } from '../../src/pipeline/config/load-config.js';
import { compilePlan } from '../../src/pipeline/plan/compile-plan.js';
import { runPipeline } from '../../src/runtime/run-pipeline.js';
import type { RunEvent } from '../../src/runtime/run-result.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { ensureBusyboxImage } from '../support/test-images.js';
import { newRunId, removeRepository } from './build-support.js';

const docker = new Dockerode();
const backend = new DockerBackend({ docker });
const repositories: string[] = [];
let registry: TestRegistry;
let dir: string;
const PASSWORD = 'registry-pass-9876';

const event: PipelineEvent = {
  kind: 'push',
  ref: { kind: 'branch', name: 'main' },
  sha: '0123456789abcdef0123456789abcdef01234567',
  author: 'dev',
  message: 'build it',
  defaultBranch: 'main',
};

before(async () => {
  await ensureBusyboxImage(docker);
  registry = await startRegistry({ username: 'ci', password: PASSWORD });
  dir = await mkdtemp(join(tmpdir(), 'slipway-build-pipeline-'));
  await mkdir(join(dir, 'app'));
  await writeFile(
    join(dir, 'app', 'Dockerfile'),
    'FROM slipway-test/busybox:1 AS build\nARG LEAK\nRUN echo "leak: $LEAK" && echo compiled > /bin-artefact\n' +
      'FROM slipway-test/busybox:1\nCOPY --from=build /bin-artefact /artefact\n',
  );
});
after(async () => {
  for (const repo of repositories) await removeRepository(docker, repo);
  await registry?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function plan(yaml: string) {
  const loaded = loadConfig(yaml, '.slipway.yml');
  assert.ok(loaded.config, JSON.stringify(loaded.diagnostics));
  return compilePlan(loaded.config, event);
}

describe('build jobs in a pipeline', () => {
  test('build + push, then a later job runs the built image; image in the result; password masked', async () => {
    const runId = newRunId();
    const repoPath = `slipway-test-build/${runId}`;
    repositories.push(`${registry.host}/${repoPath}`);
    const p = plan(
      [
        'version: 1',
        'stages:',
        '  - name: build',
        '    jobs:',
        '      image:',
        '        build:',
        '          context: app',
        `          image: ${repoPath}`,
        `          registry: "${registry.host}"`,
        `          args: { LEAK: "${PASSWORD}" }`,
        '',
      ].join('\n'),
    );
    const events: RunEvent[] = [];
    const result = await runPipeline(p, {
      runId,
      runNumber: 1,
      backend,
      source: { kind: 'directory', path: dir, files: ['app/Dockerfile'] },
      registries: [{ host: registry.host, username: 'ci', password: PASSWORD }],
      project: 'demo',
      imageRepository: 'demo',
      onEvent: (e) => events.push(e),
    });
    const log = events.flatMap((e) => (e.type === 'log' ? [e.line.text] : [])).join('\n');
    const job = result.jobs[0];
    assert.equal(result.status, 'succeeded', `${JSON.stringify(job)}\n${log}`);
    assert.ok(job?.image);
    assert.equal(job.image.repository, `${registry.host}/${repoPath}`);
    assert.deepEqual(job.image.tags, ['main-0123456', 'latest']);
    assert.equal(job.image.pushed, true);
    assert.equal(job.image.digest, await registry.manifestDigest(repoPath, 'main-0123456'));
    assert.ok(!log.includes(PASSWORD), 'the registry password is masked');
    assert.match(log, /leak: \*{8}/);
    const info = await docker.getImage(`${registry.host}/${repoPath}:latest`).inspect();
    assert.equal(info.Config.Labels?.['io.slipway.project'], 'demo');
    assert.equal(info.Config.Labels?.['org.opencontainers.image.revision'], event.sha);
  });

  test('a deploy job without a deploy runner, and a backend that cannot build, fail clearly', async () => {
    const p = plan(
      [
        'version: 1',
        'stages:',
        '  - name: s',
        '    jobs:',
        '      img: { build: { context: app, image: slipway-test-build/x } }',
        '  - name: d',
        '    jobs:',
        '      ship: { deploy: { app: a, env: e, image: "slipway-test-build/x:1" }, allow_failure: true }',
        '',
      ].join('\n'),
    );
    const base = await mkdtemp(join(tmpdir(), 'slipway-local-'));
    try {
      const result = await runPipeline(p, {
        runId: newRunId(),
        runNumber: 1,
        backend: new LocalBackend({ baseDir: base }),
        source: { kind: 'directory', path: dir, files: ['app/Dockerfile'] },
      });
      assert.equal(result.jobs[0]?.status, 'failed');
      assert.match(result.jobs[0]?.failure?.message ?? '', /this backend \(local\) cannot build images/);
      assert.equal(result.jobs[1]?.status, 'skipped');
    } finally {
      await rm(base, { recursive: true, force: true });
    }
    const deployOnly = plan(
      [
        'version: 1',
        'stages:',
        '  - name: d',
        '    jobs:',
        '      ship: { deploy: { app: a, env: e, image: "slipway-test-build/x:1" } }',
        '',
      ].join('\n'),
    );
    const result = await runPipeline(deployOnly, {
      runId: newRunId(),
      runNumber: 1,
      backend,
      source: { kind: 'empty' },
    });
    // Without a server (`slipway exec`) a deploy job is skipped and says why; named with --job
    // it fails clearly (test/fixtures/scenarios/15_* and 16_*).
    assert.equal(result.jobs[0]?.status, 'skipped');
  });
});
