/**
 * Issue #10 on the real Docker engine, through config → plan → runtime:
 *   - the DaoCloud "lite build": a job compiles into the workspace, a `build:` job's Dockerfile
 *     COPYs what it produced (the workspace is shared across stages), and a later job runs in
 *     the image built in this run, named through variables;
 *   - a run whose only named image is built by the run itself still gets its workspace;
 *   - after_script runs after a failed script, in a fresh container, and when: on_failure /
 *     always jobs run after the failure.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Dockerode from 'dockerode';
import { DockerBackend } from '../../src/backends/docker/docker-backend.js';
import type { PipelineEvent } from '../../src/domain/event.js';
import { loadConfig } from '../../src/pipeline/config/load-config.js';
import { compilePlan } from '../../src/pipeline/plan/compile-plan.js';
import { type RunOptions, runPipeline } from '../../src/runtime/run-pipeline.js';
import type { RunEvent } from '../../src/runtime/run-result.js';
import { ensureBusyboxImage } from '../support/test-images.js';
import { newRunId, removeRepository } from './build-support.js';

const docker = new Dockerode();
const backend = new DockerBackend({ docker });
const repositories: string[] = [];
let busybox = '';
let dir = '';

const event: PipelineEvent = {
  kind: 'push',
  ref: { kind: 'branch', name: 'main' },
  sha: 'feedc0de0123456789abcdef0123456789abcdef',
  author: 'dev',
  message: 'lite build',
  defaultBranch: 'main',
};

before(async () => {
  busybox = await ensureBusyboxImage(docker);
  dir = await mkdtemp(join(tmpdir(), 'slipway-flow-image-'));
  await mkdir(join(dir, 'src'));
  await writeFile(join(dir, 'src', 'main.txt'), 'source of the app\n');
  await writeFile(join(dir, 'Dockerfile'), `FROM ${busybox}\nCOPY out/app.txt /app.txt\n`);
  await writeFile(join(dir, 'Builder.Dockerfile'), `FROM ${busybox}\nRUN echo built-in-run > /marker\n`);
});
after(async () => {
  for (const repo of repositories) await removeRepository(docker, repo);
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function run(yaml: string, extra: Partial<RunOptions> = {}) {
  const loaded = loadConfig(yaml, '.slipway.yml');
  assert.ok(loaded.config, JSON.stringify(loaded.diagnostics));
  const events: RunEvent[] = [];
  const result = await runPipeline(compilePlan(loaded.config, event), {
    runId: newRunId(),
    runNumber: 1,
    backend,
    source: { kind: 'directory', path: dir, files: ['src/main.txt', 'Dockerfile'] },
    labels: { 'io.slipway.owner': `test:${process.pid}` },
    onEvent: (e) => events.push(e),
    ...extra,
  });
  const text = (job: string) =>
    events.flatMap((e) => (e.type === 'log' && e.job === job ? [e.line.text] : [])).join('\n');
  const job = (name: string) => result.jobs.find((j) => j.name === name);
  return { result, text, job };
}

describe('flow keys on Docker', { timeout: 300_000 }, () => {
  test('lite build: compile in a job, COPY its output in a build, run the built image in a later stage', async () => {
    const repository = `slipway-test-flow-${newRunId()}`;
    repositories.push(repository);
    const r = await run(
      `version: 1
image: ${busybox}
stages:
  - name: compile
    jobs:
      compile:
        script:
          - mkdir -p out
          - cat src/main.txt > out/app.txt
          - echo "compiled at $CI_COMMIT_SHORT_SHA" >> out/app.txt
  - name: package
    jobs:
      package: { build: { push: false, cache: false } }
  - name: verify
    jobs:
      verify:
        image: \${CI_REGISTRY_IMAGE}:\${SLIPWAY_RECORD}
        script: [cat /app.txt]
`,
      { imageRepository: repository, project: 'flow' },
    );
    assert.equal(r.result.status, 'succeeded', `${r.text('package')}\n${r.text('verify')}`);
    assert.deepEqual(
      r.job('package')?.image?.tags,
      ['main-feedc0d', 'latest'],
      'latest on the default branch',
    );
    assert.match(r.text('verify'), /source of the app/);
    assert.match(r.text('verify'), /compiled at feedc0d/);
  });

  test('a run whose only named image is built by the run itself: the workspace is still filled', async () => {
    const repository = `slipway-test-flow-${newRunId()}`;
    repositories.push(repository);
    const r = await run(
      `version: 1
stages:
  - name: package
    jobs:
      builder: { build: { dockerfile: Builder.Dockerfile, image: ${repository}, tags: [v1], push: false, cache: false } }
  - name: use
    jobs:
      use: { image: "${repository}:v1", script: [cat src/main.txt, cat /marker] }
`,
      { source: { kind: 'directory', path: dir, files: ['src/main.txt', 'Builder.Dockerfile'] } },
    );
    assert.equal(r.result.status, 'succeeded', r.text('use'));
    assert.match(r.text('use'), /source of the app/);
    assert.match(r.text('use'), /built-in-run/);
  });

  test('after_script runs after a failure in a fresh container; on_failure and always jobs run', async () => {
    const r = await run(`version: 1
image: ${busybox}
stages:
  - name: test
    jobs:
      unit:
        before_script: [export GREETING=hello]
        script: [echo "$GREETING from the script", echo in-shell > /tmp/only-here, 'exit 3']
        after_script:
          - echo "after sees status $CI_JOB_STATUS"
          - test -f /tmp/only-here && echo same-container || echo fresh-container
          - echo cleaned > cleaned.txt
  - name: report
    jobs:
      notify: { when: on_failure, script: [cat cleaned.txt] }
      always: { when: always, script: [echo always ran] }
      next: { script: [echo never printed] }
`);
    assert.equal(r.result.status, 'failed');
    assert.equal(r.job('unit')?.exitCode, 3);
    const unit = r.text('unit');
    assert.match(unit, /hello from the script/, 'before_script shares the shell of script');
    assert.match(unit, /after sees status failed/);
    assert.match(unit, /fresh-container/);
    assert.equal(r.job('notify')?.status, 'succeeded');
    assert.match(r.text('notify'), /cleaned/, 'after_script wrote to the shared workspace');
    assert.equal(r.job('always')?.status, 'succeeded');
    assert.equal(r.job('next')?.skip?.code, 'upstream_failed');
  });
});
