/**
 * Build jobs on the real engine, without a registry: multi-stage builds, .dockerignore, build
 * args, labels, secrets, and each failure's message.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import Dockerode from 'dockerode';
import { DockerBackend } from '../../src/backends/docker/docker-backend.js';
import { ensureBusyboxImage } from '../support/test-images.js';
import { buildSpec, Recorder, removeRepository, setupWorkspace } from './build-support.js';

const docker = new Dockerode();
const backend = new DockerBackend({ docker });
const repositories: string[] = [];
const runs: string[] = [];

before(async () => {
  await ensureBusyboxImage(docker);
});
after(async () => {
  for (const run of runs) await backend.destroyRun(run);
  for (const repo of repositories) await removeRepository(docker, repo);
});

async function run(files: Record<string, string>): Promise<string> {
  const runId = await setupWorkspace(backend, files);
  runs.push(runId);
  return runId;
}

const TWO_STAGE = `FROM slipway-test/busybox:1 AS build
ARG GREETING=none
RUN mkdir /out && echo "built with $GREETING" > /out/artefact && cat /out/artefact
FROM slipway-test/busybox:1 AS ship
COPY --from=build /out/artefact /artefact
COPY app.txt /app.txt
`;

describe('docker build jobs (local engine)', () => {
  test('a two-stage Dockerfile builds; args, labels and .dockerignore apply; output is readable', async () => {
    const runId = await run({
      Dockerfile: TWO_STAGE,
      'app.txt': 'app\n',
      'secret.key': 'do not ship\n',
      '.dockerignore': 'secret.key\n',
    });
    const spec = buildSpec(runId, {
      args: { GREETING: 'hello-arg' },
      labels: { 'io.slipway.run': runId, 'org.opencontainers.image.revision': 'abc123' },
    });
    repositories.push(spec.repository);
    const out = new Recorder();
    const outcome = await backend.buildImage(spec, out, new AbortController().signal);
    assert.equal(outcome.kind, 'built', `${JSON.stringify(outcome)}\n${out.text}`);
    if (outcome.kind !== 'built') return;
    assert.equal(outcome.image.pushed, false);
    assert.equal(outcome.image.digest, null);
    assert.match(outcome.image.imageId, /^sha256:/);
    assert.match(out.text, /built with hello-arg/);
    assert.match(out.text, /RUN mkdir/);
    const info = await docker.getImage(`${spec.repository}:t1`).inspect();
    assert.equal(info.Id, outcome.image.imageId);
    assert.equal(info.Config.Labels?.['org.opencontainers.image.revision'], 'abc123');
    const files = await listImageFiles(`${spec.repository}:t1`);
    assert.ok(files.includes('artefact'), files.join(','));
    assert.ok(files.includes('app.txt'));
    // The build stage's /out stays in the build stage.
    assert.ok(!files.includes('out'));
    const ctx = await imageFile(`${spec.repository}:t1`, TWO_STAGE_CONTEXT_PROBE);
    assert.equal(ctx, null);
  });

  test('target builds only that stage', async () => {
    const runId = await run({ Dockerfile: TWO_STAGE, 'app.txt': 'x' });
    const spec = buildSpec(runId, { target: 'build' });
    repositories.push(spec.repository);
    const outcome = await backend.buildImage(spec, new Recorder(), new AbortController().signal);
    assert.equal(outcome.kind, 'built');
    const files = await listImageFiles(`${spec.repository}:t1`);
    assert.ok(files.includes('out'));
  });

  test('a build secret reaches RUN --mount=type=secret and is absent from history and image', async () => {
    const secret = 'sup3r-s3cret-value-42';
    const runId = await run({
      // The Dockerfile holds only the secret's hash: the value itself must come from the session.
      Dockerfile: `FROM slipway-test/busybox:1\nRUN --mount=type=secret,id=API_TOKEN test "$(sha256sum /run/secrets/API_TOKEN | cut -d' ' -f1)" = "${sha256(secret)}" && echo secret-ok\n`,
    });
    const spec = buildSpec(runId, { secrets: { API_TOKEN: secret } });
    repositories.push(spec.repository);
    const out = new Recorder();
    const outcome = await backend.buildImage(spec, out, new AbortController().signal);
    assert.equal(outcome.kind, 'built', `${JSON.stringify(outcome)}\n${out.text}`);
    assert.match(out.text, /secret-ok/);
    const history = await docker.getImage(`${spec.repository}:t1`).history();
    assert.ok(!JSON.stringify(history).includes(secret), 'secret in history');
    const inspect = await docker.getImage(`${spec.repository}:t1`).inspect();
    assert.ok(!JSON.stringify(inspect).includes(secret), 'secret in image config');
    const tar = await exportImageFs(`${spec.repository}:t1`);
    assert.ok(!tar.includes(Buffer.from(secret)), 'secret in the image filesystem');
    assert.ok(!(await listImageFiles(`${spec.repository}:t1`)).includes('run/secrets/API_TOKEN'));
  });

  test('missing Dockerfile → dockerfile_missing naming the path', async () => {
    const runId = await run({ 'README.md': 'no dockerfile' });
    const outcome = await backend.buildImage(
      buildSpec(runId, { dockerfile: 'docker/Dockerfile' }),
      new Recorder(),
      new AbortController().signal,
    );
    assert.equal(outcome.kind, 'dockerfile_missing');
    assert.match((outcome as { message: string }).message, /docker\/Dockerfile/);
  });

  test('failing RUN → build_failed with the step and exit code', async () => {
    const runId = await run({
      Dockerfile: 'FROM slipway-test/busybox:1\nRUN echo about to fail && exit 3\n',
    });
    const out = new Recorder();
    const outcome = await backend.buildImage(buildSpec(runId), out, new AbortController().signal);
    assert.equal(outcome.kind, 'build_failed', out.text);
    const message = (outcome as { message: string }).message;
    assert.match(message, /exit code 3/);
    assert.match(message, /RUN echo about to fail/);
    assert.match(out.text, /about to fail/);
  });

  test('unknown target → unknown_target', async () => {
    const runId = await run({ Dockerfile: TWO_STAGE, 'app.txt': 'x' });
    const outcome = await backend.buildImage(
      buildSpec(runId, { target: 'nope' }),
      new Recorder(),
      new AbortController().signal,
    );
    assert.equal(outcome.kind, 'unknown_target');
    assert.match((outcome as { message: string }).message, /"nope"/);
  });

  test('aborting a running build ends it as aborted', async () => {
    const runId = await run({ Dockerfile: 'FROM slipway-test/busybox:1\nRUN echo sleeping && sleep 60\n' });
    const controller = new AbortController();
    const out = new Recorder();
    const output = {
      write: (stream: 'stdout' | 'stderr', chunk: Buffer) => {
        out.write(stream, chunk);
        if (chunk.toString().includes('sleeping')) controller.abort();
      },
      system: (text: string) => out.system(text),
    };
    const outcome = await backend.buildImage(buildSpec(runId), output, controller.signal);
    assert.equal(outcome.kind, 'aborted', `${JSON.stringify(outcome)}\n${out.text}`);
  });

  test('invalid tag → invalid_reference before anything runs', async () => {
    const runId = await run({ Dockerfile: TWO_STAGE });
    const outcome = await backend.buildImage(
      buildSpec(runId, { tags: ['-bad tag'] }),
      new Recorder(),
      new AbortController().signal,
    );
    assert.equal(outcome.kind, 'invalid_reference');
    assert.match((outcome as { message: string }).message, /tag "-bad tag"/);
  });
});

const TWO_STAGE_CONTEXT_PROBE = 'secret.key';

async function exportImageFs(ref: string): Promise<Buffer> {
  const container = await docker.createContainer({ Image: ref, Entrypoint: ['/bin/true'] });
  try {
    const stream = await container.export();
    const chunks: Buffer[] = [];
    for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
    return Buffer.concat(chunks);
  } finally {
    await container.remove({ force: true });
  }
}

/** Top-level names plus paths in the image's filesystem. */
async function listImageFiles(ref: string): Promise<string[]> {
  const { extract } = await import('tar-stream');
  const tar = await exportImageFs(ref);
  const names: string[] = [];
  const ex = extract();
  ex.on('entry', (h, s, next) => {
    names.push(h.name.replace(/\/$/, ''));
    s.on('end', next);
    s.resume();
  });
  ex.end(tar);
  await new Promise<void>((r) => ex.on('finish', () => r()));
  return names;
}

async function imageFile(ref: string, path: string): Promise<string | null> {
  return (await listImageFiles(ref)).includes(path) ? path : null;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
