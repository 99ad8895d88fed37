/**
 * Security rule 5 for builds: `build.context` and `build.dockerfile` come from the repository.
 * Absolute paths and `..` climbing out are refused statically (a `slipway lint` error, so no run
 * starts); a symlink leading out of the workspace — checked in, or made by an earlier job — is
 * found when the job runs (real engine) and fails the job naming the field. A symlink inside the
 * context is streamed as a link, never followed out of it.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Dockerode from 'dockerode';
import { DockerBackend } from '../../src/backends/docker/docker-backend.js';
import type { PipelineEvent } from '../../src/domain/event.js';
import { loadConfig } from '../../src/pipeline/config/load-config.js';
import { compilePlan } from '../../src/pipeline/plan/compile-plan.js';
import { runPipeline } from '../../src/runtime/run-pipeline.js';
import type { RunEvent } from '../../src/runtime/run-result.js';
import { newRunId, removeRepository } from '../images/build-support.js';
import { runCli } from '../support/cli.js';
import { ensureBusyboxImage } from '../support/test-images.js';

const build = (fields: string) => `version: 1
stages:
  - name: b
    jobs:
      image:
        build: { ${fields} }
`;

describe('static paths (lint)', () => {
  test('absolute paths and .. escaping the repository are errors naming the field', () => {
    for (const [fields, field] of [
      ['context: /etc', 'context'],
      ['context: "../other-repo"', 'context'],
      ['context: "app/../../x"', 'context'],
      ['dockerfile: /etc/passwd', 'dockerfile'],
      ['dockerfile: "../Dockerfile"', 'dockerfile'],
      ['context: app, dockerfile: "app/../../../Dockerfile"', 'dockerfile'],
      ['dockerfile: "C:\\\\Dockerfile"', 'dockerfile'],
    ] as const) {
      const loaded = loadConfig(build(fields), '.slipway.yml');
      const found = loaded.diagnostics.filter((d) => d.code === 'path-outside-workspace');
      assert.equal(found.length, 1, `${fields}: ${JSON.stringify(loaded.diagnostics)}`);
      assert.equal(found[0]?.severity, 'error');
      assert.match(found[0]?.message ?? '', new RegExp(`build\\.${field} of job "image"`));
      assert.equal(loaded.config, null, 'no plan: the run would not start');
    }
  });

  test('relative paths that stay inside are fine, .. included', () => {
    for (const fields of ['context: app', 'context: "./app/../app"', 'dockerfile: "docker/../Dockerfile"']) {
      const loaded = loadConfig(build(fields), '.slipway.yml');
      assert.deepEqual(
        loaded.diagnostics.filter((d) => d.code === 'path-outside-workspace'),
        [],
        fields,
      );
    }
  });

  test('slipway lint reports it and exits 1', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slipway-lint-paths-'));
    try {
      await writeFile(join(dir, '.slipway.yml'), build('context: ../../secrets'));
      const res = await runCli(['lint'], { cwd: dir });
      assert.equal(res.code, 1, res.stdout + res.stderr);
      assert.match(res.stdout + res.stderr, /build\.context of job "image".*outside the repository/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('symlinks at run time (real engine)', () => {
  const docker = new Dockerode();
  const backend = new DockerBackend({ docker });
  const repositories: string[] = [];
  let dir: string;
  const event: PipelineEvent = {
    kind: 'push',
    ref: { kind: 'branch', name: 'feature' },
    sha: '0123456789abcdef0123456789abcdef01234567',
    author: 'dev',
    message: 'links',
  };

  before(async () => {
    await ensureBusyboxImage(docker);
    dir = await mkdtemp(join(tmpdir(), 'slipway-build-paths-'));
    await writeFile(join(dir, 'Dockerfile'), 'FROM slipway-test/busybox:1\nCOPY . /ctx/\n');
  });
  after(async () => {
    for (const repo of repositories) await removeRepository(docker, repo);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('a context, Dockerfile or directory on the way that links outside fails its job, naming the field', async () => {
    const runId = newRunId();
    const repo = `slipway-test-build/${runId}`;
    repositories.push(repo);
    const job = (name: string, fields: string) =>
      `      ${name}: { allow_failure: true, build: { image: ${repo}, tags: [${name}], ${fields} } }`;
    const loaded = loadConfig(
      [
        'version: 1',
        'stages:',
        '  - name: links',
        '    jobs:',
        // An earlier job makes the links (a repository could just as well check them in).
        '      make:',
        '        image: slipway-test/busybox:1',
        '        script:',
        '          - ln -s /etc etcdir',
        '          - ln -s /etc/passwd passwd-dockerfile',
        '          - mkdir -p inner && ln -s ../.. inner/up',
        '          - mkdir -p app && cp Dockerfile app/Dockerfile && ln -s app alias',
        '  - name: build',
        '    jobs:',
        job('ctxlink', 'context: etcdir'),
        job('filelink', 'dockerfile: passwd-dockerfile'),
        job('dirlink', 'context: inner/up'),
        job('inside', 'context: alias'),
        '',
      ].join('\n'),
      '.slipway.yml',
    );
    assert.ok(loaded.config, JSON.stringify(loaded.diagnostics));
    const events: RunEvent[] = [];
    const result = await runPipeline(compilePlan(loaded.config, event), {
      runId,
      runNumber: 1,
      backend,
      source: { kind: 'directory', path: dir, files: ['Dockerfile'] },
      onEvent: (e) => events.push(e),
    });
    const byName = new Map(result.jobs.map((j) => [j.name, j]));
    const log = events.flatMap((e) => (e.type === 'log' ? [e.line.text] : [])).join('\n');
    assert.equal(byName.get('make')?.status, 'succeeded', log);
    for (const [name, field, link] of [
      ['ctxlink', 'build.context', 'etcdir'],
      ['filelink', 'build.dockerfile', 'passwd-dockerfile'],
      ['dirlink', 'build.context', 'inner/up'],
    ] as const) {
      const j = byName.get(name);
      assert.equal(j?.status, 'failed', `${name}: ${JSON.stringify(j)}`);
      assert.equal(j?.failure?.reason, 'config_error');
      assert.match(j?.failure?.message ?? '', new RegExp(`^job "${name}": ${field.replace('.', '\\.')} `));
      assert.ok(j?.failure?.message.includes(`symlink "${link}"`), j?.failure?.message);
      assert.match(j?.failure?.message ?? '', /points outside the workspace/);
    }
    // A link that stays inside the workspace is fine.
    assert.equal(byName.get('inside')?.status, 'succeeded', JSON.stringify(byName.get('inside')));
  });

  test('a symlink inside the context is sent as a link: COPY does not follow it out of the context', async () => {
    const runId = newRunId();
    const repo = `slipway-test-build/${runId}`;
    repositories.push(repo);
    const loaded = loadConfig(
      [
        'version: 1',
        'stages:',
        '  - name: links',
        '    jobs:',
        '      make:',
        '        image: slipway-test/busybox:1',
        '        script:',
        '          - mkdir -p ctx',
        '          - ln -s /etc/hostname ctx/leak',
        '          - printf "FROM slipway-test/busybox:1\\nCOPY leak /leak\\n" > ctx/Dockerfile',
        '  - name: build',
        '    jobs:',
        `      image: { build: { context: ctx, image: ${repo}, tags: [t] } }`,
        '',
      ].join('\n'),
      '.slipway.yml',
    );
    assert.ok(loaded.config, JSON.stringify(loaded.diagnostics));
    const result = await runPipeline(compilePlan(loaded.config, event), {
      runId,
      runNumber: 1,
      backend,
      source: { kind: 'directory', path: dir, files: ['Dockerfile'] },
    });
    const built = result.jobs.find((j) => j.name === 'image');
    // Either the engine refuses the dangling link, or it copies the link itself — never the
    // file of the helper's or host's filesystem.
    if (built?.status === 'succeeded') {
      const container = await docker.createContainer({
        Image: `${repo}:t`,
        Entrypoint: ['/bin/sh', '-c', 'readlink /leak || echo not-a-link'],
      });
      try {
        await container.start();
        await container.wait();
        const out = (await container.logs({ stdout: true, stderr: true })).toString();
        assert.match(out, /\/etc\/hostname/, `COPY kept the link: ${out}`);
      } finally {
        await container.remove({ force: true });
      }
    } else {
      assert.equal(built?.status, 'failed');
    }
  });
});
