/**
 * Pushing built images to Debian's docker-registry on loopback: without auth, with htpasswd
 * (good and bad credentials), and a registry that is down or hangs.
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import Dockerode from 'dockerode';
import { DockerBackend } from '../../src/backends/docker/docker-backend.js';
import { readProgress } from '../../src/backends/docker/progress.js';
import { freePort, startRegistry, type TestRegistry } from '../support/registry.js';
import { ensureBusyboxImage } from '../support/test-images.js';
import { buildSpec, Recorder, removeRepository, setupWorkspace } from './build-support.js';

const docker = new Dockerode();
const backend = new DockerBackend({ docker, pushTimeoutMs: 5_000 });
const repositories: string[] = [];
const runs: string[] = [];
const USER = 'ci-bot';
const PASSWORD = 'correct-horse-battery';
const WRONG = 'wrong-password-123456';
let open: TestRegistry;
let guarded: TestRegistry;

const DOCKERFILE = `FROM slipway-test/busybox:1 AS build
RUN mkdir /out && date +%s%N > /out/stamp
FROM slipway-test/busybox:1
COPY --from=build /out/stamp /stamp
`;

before(async () => {
  await ensureBusyboxImage(docker);
  [open, guarded] = await Promise.all([
    startRegistry(),
    startRegistry({ username: USER, password: PASSWORD }),
  ]);
});
after(async () => {
  for (const run of runs) await backend.destroyRun(run);
  for (const repo of repositories) await removeRepository(docker, repo);
  await Promise.all([open?.stop(), guarded?.stop()]);
});

async function workspace(): Promise<string> {
  const runId = await setupWorkspace(backend, { Dockerfile: DOCKERFILE });
  runs.push(runId);
  return runId;
}

describe('pushing built images', () => {
  test('push to a registry without auth: digest is what the registry serves, and it pulls', async () => {
    const runId = await workspace();
    const path = `slipway-test-build/${runId}`;
    const spec = buildSpec(runId, {
      repository: `${open.host}/${path}`,
      tags: ['main-abc1234', 'latest'],
      push: true,
      registry: open.host,
    });
    repositories.push(spec.repository);
    const out = new Recorder();
    const outcome = await backend.buildImage(spec, out, new AbortController().signal);
    assert.equal(outcome.kind, 'built', `${JSON.stringify(outcome)}\n${out.text}`);
    if (outcome.kind !== 'built') return;
    assert.equal(outcome.image.pushed, true);
    assert.equal(outcome.image.registry, open.host);
    assert.match(outcome.image.digest ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.equal(await open.manifestDigest(path, 'main-abc1234'), outcome.image.digest);
    assert.equal(await open.manifestDigest(path, 'latest'), outcome.image.digest);

    // Gone locally, then pulled back from the registry through the engine.
    await removeRepository(docker, spec.repository);
    const stream = await docker.pull(`${spec.repository}:main-abc1234`);
    await readProgress(stream);
    const pulled = await docker.getImage(`${spec.repository}:main-abc1234`).inspect();
    assert.ok(pulled.RepoDigests.some((d) => d.endsWith(outcome.image.digest as string)));
  });

  test('push with htpasswd credentials works; bad credentials fail without the password anywhere', async () => {
    const runId = await workspace();
    const path = `slipway-test-build/${runId}`;
    const good = buildSpec(runId, {
      repository: `${guarded.host}/${path}`,
      push: true,
      registry: guarded.host,
      credentials: { username: USER, password: PASSWORD },
    });
    repositories.push(good.repository);
    const goodOut = new Recorder();
    const built = await backend.buildImage(good, goodOut, new AbortController().signal);
    assert.equal(built.kind, 'built', `${JSON.stringify(built)}\n${goodOut.text}`);
    assert.ok(!goodOut.text.includes(PASSWORD));

    const badOut = new Recorder();
    const bad = await backend.buildImage(
      { ...good, tags: ['bad'], credentials: { username: USER, password: WRONG } },
      badOut,
      new AbortController().signal,
    );
    assert.equal(bad.kind, 'push_failed', JSON.stringify(bad));
    const message = (bad as { message: string }).message;
    assert.match(message, /refused the credentials|unauthorized|authentication/i);
    assert.ok(!message.includes(WRONG) && !badOut.text.includes(WRONG));
    assert.equal(await guarded.manifestDigest(path, 'bad'), null);
  });

  test('a registry that is down fails the push with a clear message', async () => {
    const runId = await workspace();
    const host = `127.0.0.1:${await freePort()}`;
    const spec = buildSpec(runId, {
      repository: `${host}/slipway-test-build/${runId}`,
      push: true,
      registry: host,
    });
    repositories.push(spec.repository);
    const outcome = await backend.buildImage(spec, new Recorder(), new AbortController().signal);
    assert.equal(outcome.kind, 'push_failed', JSON.stringify(outcome));
    assert.match((outcome as { message: string }).message, new RegExp(`to ${host} failed`));
  });

  test('a registry that accepts connections and never answers is bounded by the push timeout', async () => {
    const runId = await workspace();
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const address = silent.address();
    const host = `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    try {
      const spec = buildSpec(runId, {
        repository: `${host}/slipway-test-build/${runId}`,
        push: true,
        registry: host,
        pushTimeoutMs: 2_000,
      });
      repositories.push(spec.repository);
      const outcome = await backend.buildImage(spec, new Recorder(), new AbortController().signal);
      assert.equal(outcome.kind, 'push_failed', JSON.stringify(outcome));
      assert.match((outcome as { message: string }).message, /did not finish within 2 s|timeout/i);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });
});
