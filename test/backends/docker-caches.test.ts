/**
 * Job caches on the real Docker engine, through the runtime (runPipeline + DockerBackend):
 * saved by a first run, mounted by the next, found through fallback keys, never written by
 * untrusted runs, and never changed by the jobs that read them. Each test uses its own project
 * namespace and removes its caches at the end.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Dockerode from 'dockerode';
import { createOverlay, overlayOptions, overlayProblem } from '../../src/backends/docker/cache-overlay.js';
import {
  listGenerations,
  removeGeneration,
  volumeDirectory,
} from '../../src/backends/docker/cache-volumes.js';
import { ensureCarrierImage } from '../../src/backends/docker/carrier-image.js';
import { DockerBackend } from '../../src/backends/docker/docker-backend.js';
import type { OverlayCheck } from '../../src/backends/docker/job-caches.js';
import { main } from '../../src/cli/main.js';
import type { PipelineEvent } from '../../src/domain/event.js';
import { loadConfig } from '../../src/pipeline/config/load-config.js';
import { compilePlan } from '../../src/pipeline/plan/compile-plan.js';
import { runPipeline } from '../../src/runtime/run-pipeline.js';
import { ensureNodeImage } from '../support/node-image.js';
import { ensureBusyboxImage } from '../support/test-images.js';

const docker = new Dockerode();
const FIXTURE = fileURLToPath(new URL('../fixtures/node-cache-project/', import.meta.url));
const namespaces: string[] = [];
let busybox = '';

before(async () => {
  busybox = await ensureBusyboxImage(docker);
});

after(async () => {
  for (const namespace of namespaces) {
    for (const generation of await listGenerations(docker, undefined, { namespace })) {
      await removeGeneration(docker, generation);
    }
  }
});

function newProject(): string {
  const name = `cache-test-${randomUUID().slice(0, 8)}`;
  namespaces.push(name);
  return name;
}

function event(branch: string): PipelineEvent {
  return {
    kind: 'push',
    ref: { kind: 'branch', name: branch },
    sha: 'c'.repeat(40),
    author: 't',
    message: 'm',
  };
}

interface RunOutcome {
  status: string;
  /** Every log line of every job, system lines included. */
  lines: string[];
}

async function run(
  yaml: string,
  opts: { project: string; branch?: string; trusted?: boolean; source?: string; backend?: DockerBackend },
): Promise<RunOutcome> {
  const loaded = loadConfig(yaml, 'test.yml');
  if (!loaded.config) throw new Error(JSON.stringify(loaded.diagnostics));
  const plan = compilePlan(loaded.config, event(opts.branch ?? 'main'));
  const lines: string[] = [];
  const source = opts.source;
  const result = await runPipeline(plan, {
    runId: `cache-${randomUUID().slice(0, 8)}`,
    runNumber: 1,
    backend: opts.backend ?? new DockerBackend({ docker }),
    source: source ? { kind: 'directory', path: source, files: readdirSync(source) } : { kind: 'empty' },
    project: opts.project,
    ...(opts.trusted === false ? { pushPolicy: { trusted: false, refusals: {} } } : {}),
    onEvent: (e) => {
      if (e.type === 'log') lines.push(e.line.text);
    },
  });
  return { status: result.status, lines };
}

function has(outcome: RunOutcome, pattern: RegExp): boolean {
  return outcome.lines.some((line) => pattern.test(line));
}

describe('job caches (Docker)', () => {
  test('npm: the first run saves node_modules keyed by the lock file, the second mounts it and installs nothing', async () => {
    const image = await ensureNodeImage(docker);
    const project = newProject();
    const yaml = `version: 1
image: ${image}
stages:
  - name: test
    jobs:
      test:
        script:
          - if [ -f node_modules/.package-lock.json ]; then npm install --prefer-offline; else npm ci; fi
          - npm test
        cache:
          key: { files: [package-lock.json], prefix: deps }
          paths: [node_modules]
`;
    const first = await run(yaml, { project, source: FIXTURE });
    assert.equal(first.status, 'succeeded', first.lines.join('\n'));
    assert.ok(
      has(first, /^cache: no cache for key deps-[0-9a-f]{16}; it is saved after the job$/),
      first.lines.join('\n'),
    );
    assert.ok(has(first, /^added 128 packages/), first.lines.join('\n'));
    assert.ok(has(first, /^cache: saved key deps-[0-9a-f]{16} \(\d/), first.lines.join('\n'));

    const second = await run(yaml, { project, source: FIXTURE });
    assert.equal(second.status, 'succeeded', second.lines.join('\n'));
    assert.ok(
      has(second, /^cache: restored key deps-[0-9a-f]{16} \([\d.]+ [kM]?B, \d+ ms, mounted copy-on-write\)$/),
      second.lines.join('\n'),
    );
    assert.ok(has(second, /^up to date/), second.lines.join('\n'));
    assert.ok(has(second, /^ok: 15 dependencies load$/), second.lines.join('\n'));

    // Another lock file is another key: nothing restored.
    const changed = await mkdtemp(join(tmpdir(), 'slipway-cache-lock-'));
    try {
      for (const file of readdirSync(FIXTURE)) await copyFile(join(FIXTURE, file), join(changed, file));
      await writeFile(
        join(changed, 'package-lock.json'),
        `${await readFile(join(FIXTURE, 'package-lock.json'), 'utf8')}\n`,
      );
      const probe = `version: 1
image: ${busybox}
stages:
  - name: test
    jobs:
      probe:
        script: ["ls node_modules | wc -l"]
        cache: { key: { files: [package-lock.json], prefix: deps }, paths: [node_modules], policy: pull }
`;
      const third = await run(probe, { project, source: changed });
      assert.ok(
        has(third, /^cache: no cache for key deps-[0-9a-f]{16}; nothing is saved \(policy: pull\)$/),
        third.lines.join('\n'),
      );
    } finally {
      await rm(changed, { recursive: true, force: true });
    }
  });

  test("a branch without a cache of its own starts from the default branch's (fallback_keys), then saves its own", async () => {
    const project = newProject();
    const yaml = `version: 1
image: ${busybox}
stages:
  - name: build
    jobs:
      build:
        script:
          - ls deps | sort | tr '\\n' ' '; echo
          - echo "$CI_COMMIT_REF_NAME" > "deps/from-$CI_COMMIT_REF_NAME"
        cache:
          key: deps-$CI_COMMIT_REF_NAME
          fallback_keys: [deps-main]
          paths: [deps]
`;
    const main = await run(yaml, { project, branch: 'main' });
    assert.equal(main.status, 'succeeded', main.lines.join('\n'));
    assert.ok(has(main, /^cache: saved key deps-main /), main.lines.join('\n'));

    const feature = await run(yaml, { project, branch: 'feature-x' });
    assert.equal(feature.status, 'succeeded', feature.lines.join('\n'));
    assert.ok(
      has(feature, /^cache: restored fallback key deps-main for deps-feature-x \(/),
      feature.lines.join('\n'),
    );
    assert.ok(has(feature, /^from-main $/), feature.lines.join('\n'));
    assert.ok(has(feature, /^cache: saved key deps-feature-x /), feature.lines.join('\n'));

    // The feature branch now has its own cache (main's files and its own); main's is unchanged.
    const again = await run(yaml, { project, branch: 'feature-x' });
    assert.ok(has(again, /^cache: restored key deps-feature-x /), again.lines.join('\n'));
    assert.ok(has(again, /^from-feature-x from-main $/), again.lines.join('\n'));
    const mainAgain = await run(yaml, { project, branch: 'main' });
    assert.ok(has(mainAgain, /^from-main $/), mainAgain.lines.join('\n'));
  });

  test('an untrusted run (fork pull request) reads caches but cannot write or change one', async () => {
    const project = newProject();
    const yaml = `version: 1
image: ${busybox}
stages:
  - name: build
    jobs:
      build:
        script:
          - cat deps/owner 2>/dev/null || echo none
          - mkdir -p deps && echo "$WHO" > deps/owner
        env: { WHO: "$WHO_PLACEHOLDER" }
        cache: { key: deps, paths: [deps] }
`;
    const as = (who: string) => yaml.replace('$WHO_PLACEHOLDER', who);
    const fork = await run(as('fork'), { project, trusted: false });
    assert.equal(fork.status, 'succeeded', fork.lines.join('\n'));
    assert.ok(
      has(
        fork,
        /^cache: no cache for key deps; nothing is saved \(untrusted runs read caches but never write them\)$/,
      ),
      fork.lines.join('\n'),
    );
    assert.deepEqual(await listGenerations(docker, undefined, { namespace: project }), []);

    const trusted = await run(as('maintainer'), { project });
    assert.ok(has(trusted, /^cache: saved key deps /), trusted.lines.join('\n'));

    // The fork sees the cache, and its write lands in its own copy-on-write layer only.
    const fork2 = await run(as('fork'), { project, trusted: false });
    assert.ok(has(fork2, /^cache: restored key deps \(/), fork2.lines.join('\n'));
    assert.ok(has(fork2, /^maintainer$/), fork2.lines.join('\n'));
    assert.ok(!has(fork2, /^cache: saved/), fork2.lines.join('\n'));
    const after = await run(as('maintainer'), { project });
    assert.ok(has(after, /^maintainer$/), after.lines.join('\n'));
    assert.equal((await listGenerations(docker, undefined, { namespace: project })).length, 1);

    // Caches are the project's: another project with the same key starts empty.
    const other = await run(as('other'), { project: newProject(), trusted: false });
    assert.ok(has(other, /^none$/), other.lines.join('\n'));
  });

  test('parallel jobs reading one cache each write into their own layer; the saved cache never changes', async () => {
    const project = newProject();
    const seed = `version: 1
image: ${busybox}
stages:
  - name: seed
    jobs:
      seed:
        script: ["echo base > deps/base"]
        cache: { key: shared, paths: [deps] }
`;
    assert.ok(has(await run(seed, { project }), /^cache: saved key shared /));
    const jobs = ['a', 'b', 'c']
      .map(
        (n) => `      w${n}:
        script:
          - echo ${n} > deps/${n}
          - rm deps/base
          - sleep 1
          - ls deps | tr '\\n' ' '; echo
        cache: { key: shared, paths: [deps] }`,
      )
      .join('\n');
    const parallel = await run(
      `version: 1\nimage: ${busybox}\nstages:\n  - name: write\n    jobs:\n${jobs}\n`,
      {
        project,
      },
    );
    assert.equal(parallel.status, 'succeeded', parallel.lines.join('\n'));
    for (const n of ['a', 'b', 'c'])
      assert.ok(has(parallel, new RegExp(`^${n} $`)), parallel.lines.join('\n'));
    const check = await run(
      `version: 1\nimage: ${busybox}\nstages:\n  - name: s\n    jobs:\n      check:\n        script: ["ls deps"]\n        cache: { key: shared, paths: [deps], policy: pull }\n`,
      { project },
    );
    assert.ok(has(check, /^base$/) && !has(check, /^[abc]$/), check.lines.join('\n'));
  });

  test('policy push saves without restoring; when: always saves after a failure, on_success does not', async () => {
    const project = newProject();
    const job = (script: string, extra: string) => `version: 1
image: ${busybox}
stages:
  - name: s
    jobs:
      j:
        script: [${JSON.stringify(script)}]
        cache: { key: k, paths: [/root/.stash], ${extra} }
`;
    const failed = await run(job('echo 1 > /root/.stash/v; exit 3', 'when: on_success'), { project });
    assert.equal(failed.status, 'failed');
    assert.ok(has(failed, /^cache: key k not saved \(the job failed\)$/), failed.lines.join('\n'));
    const always = await run(job('echo 2 > /root/.stash/v; exit 3', 'when: always'), { project });
    assert.ok(has(always, /^cache: saved key k /), always.lines.join('\n'));
    const pushed = await run(
      job('cat /root/.stash/v 2>/dev/null || echo empty; echo 3 > /root/.stash/v', 'policy: push'),
      {
        project,
      },
    );
    assert.ok(has(pushed, /^empty$/), pushed.lines.join('\n'));
    assert.ok(has(pushed, /^cache: saved key k /), pushed.lines.join('\n'));
    const read = await run(job('cat /root/.stash/v', 'policy: pull'), { project });
    assert.ok(has(read, /^3$/), read.lines.join('\n'));
    // The superseded generation was pruned when the newer one was saved.
    assert.equal((await listGenerations(docker, undefined, { namespace: project })).length, 1);
  });

  test("slipway cache ls shows a project's caches (key, paths, size) and cache clear removes them", async () => {
    const project = newProject();
    const yaml = (key: string) =>
      `version: 1\nimage: ${busybox}\nstages:\n  - name: s\n    jobs:\n      j:\n        script: ["echo x > d/f"]\n        cache: { key: ${key}, paths: [d] }\n`;
    await run(yaml('one'), { project });
    await run(yaml('two'), { project });
    const cli = async (...args: string[]) => {
      let out = '';
      let err = '';
      const code = await main(['cache', ...args], {
        stdout: (t) => {
          out += t;
        },
        stderr: (t) => {
          err += t;
        },
        cwd: process.cwd(),
        env: {},
        color: false,
      });
      return { code, out, err };
    };
    const listed = await cli('ls', '--project', project, '--json');
    assert.equal(listed.code, 0, listed.err);
    const caches = JSON.parse(listed.out) as { key: string; paths: string[]; size: number }[];
    assert.deepEqual(caches.map((c) => c.key).sort(), ['one', 'two']);
    assert.deepEqual(caches[0]?.paths, ['/workspace/d']);
    assert.ok((caches[0]?.size ?? 0) > 0);
    const table = await cli('ls', '--project', project);
    assert.match(table.out, /^PROJECT\s+KEY\s+PATHS\s+SIZE\s+SAVED$/m);
    assert.equal((await cli('clear')).code, 2);
    assert.match((await cli('clear', '--project', project, '--key', 'one')).out, /^removed 1 cache$/m);
    const after = await listGenerations(docker, undefined, { namespace: project });
    assert.deepEqual(
      after.map((g) => g.key),
      ['two'],
    );
    const next = await run(yaml('one'), { project });
    assert.ok(has(next, /^cache: no cache for key one; it is saved after the job$/), next.lines.join('\n'));
  });

  test('on an engine that cannot mount overlays a hit is a private copy, and the cache still never changes', async () => {
    const project = newProject();
    const yaml = (script: string) =>
      `version: 1\nimage: ${busybox}\nstages:\n  - name: s\n    jobs:\n      j:\n        script: [${JSON.stringify(script)}]\n        cache: { key: k, paths: [d] }\n`;
    await run(yaml('echo saved > d/f'), { project });
    const backend = new DockerBackend({ docker });
    // What the probe answers on such an engine (its real answer here would be null).
    (backend as unknown as { overlayCheck: OverlayCheck }).overlayCheck.result = Promise.resolve(
      'failed to mount local volume: no such device',
    );
    const copied = await run(yaml('cat d/f; echo changed > d/f'), { project, backend });
    assert.equal(copied.status, 'succeeded', copied.lines.join('\n'));
    assert.ok(
      has(copied, /^cache: this engine cannot mount overlays, the cache is copied: /),
      copied.lines.join('\n'),
    );
    assert.ok(has(copied, /^cache: restored key k \(.*, copied\)$/), copied.lines.join('\n'));
    assert.ok(has(copied, /^saved$/), copied.lines.join('\n'));
    const after = await run(yaml('cat d/f'), { project });
    assert.ok(has(after, /^saved$/) && has(after, /mounted copy-on-write/), after.lines.join('\n'));
  });

  test("the overlay probe answers null for a mountable overlay and the engine's words for a broken one", async () => {
    const tag = randomUUID().slice(0, 8);
    const lower = `slipway-cache-test-lower-${tag}`;
    const broken = `slipway-cache-test-broken-${tag}`;
    const image = await ensureCarrierImage(docker);
    await docker.createVolume({ Name: lower });
    const overlay = await createOverlay(docker, lower, `probe-${tag}`, 'j', {});
    try {
      assert.ok(overlay);
      assert.equal(await overlayProblem(docker, overlay.volume, image, {}), null);
      const dir = (await volumeDirectory(docker, lower)) as string;
      await docker.createVolume({
        Name: broken,
        Driver: 'local',
        DriverOpts: overlayOptions(dir, `${dir}-missing-upper`, `${dir}-missing-work`),
      });
      assert.match((await overlayProblem(docker, broken, image, {})) ?? '', /mount/);
    } finally {
      await overlay?.remove();
      for (const name of [broken, lower])
        await docker
          .getVolume(name)
          .remove()
          .catch(() => {});
    }
  });
});
