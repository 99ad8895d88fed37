/**
 * The second round of coded system lines: lines that used to be English-only (cache problems,
 * missing or refused secrets, resource warnings, the job's final failure line, and a few engine
 * notices) reach the log with a code and params beside the same English text, so the web UI can
 * show them in the reader's language. Cache lines run on the real Docker engine (a project
 * namespace unique to this file, nothing saved); the rest on the fake backend.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import Dockerode from 'dockerode';
import type { BuildOutcome, BuildSpec, JobOutput } from '../../src/backends/backend.js';
import type { CacheRemote, JobCacheSpec } from '../../src/backends/cache-spec.js';
import { DockerBackend } from '../../src/backends/docker/docker-backend.js';
import { prepareJobCaches } from '../../src/backends/docker/job-caches.js';
import { FakeBackend } from '../../src/backends/fake/fake-backend.js';
import type { LogLine } from '../../src/domain/log-line.js';
import { type CodedSystemLine, isSystemLineCode } from '../../src/domain/system-line-codes.js';
import { loadConfig } from '../../src/pipeline/config/load-config.js';
import { compilePlan } from '../../src/pipeline/plan/compile-plan.js';
import { type RunOptions, runPipeline } from '../../src/runtime/run-pipeline.js';
import { MASK } from '../../src/runtime/secret-masker.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { ensureBusyboxImage } from '../support/test-images.js';

const GiB = 1024 ** 3;
const docker = new Dockerode();
const namespace = `syslog2-${randomUUID().slice(0, 8)}`;

async function run(
  yaml: string,
  opts: Partial<RunOptions> & Pick<RunOptions, 'backend'>,
): Promise<LogLine[]> {
  const loaded = loadConfig(yaml, '.slipway.yml');
  assert.ok(loaded.config, JSON.stringify(loaded.diagnostics));
  const lines: LogLine[] = [];
  await runPipeline(
    compilePlan(loaded.config, {
      kind: 'push',
      ref: { kind: 'branch', name: 'main' },
      sha: 'e'.repeat(40),
      author: 'dev',
      message: 'coded lines',
    }),
    {
      runId: `syslog2-${randomUUID().slice(0, 8)}`,
      runNumber: 1,
      source: { kind: 'empty' },
      project: namespace,
      graceMs: 10,
      onEvent: (e) => {
        if (e.type === 'log') lines.push(e.line);
      },
      ...opts,
    },
  );
  return lines;
}

const show = (lines: LogLine[]) => lines.map((l) => `${l.code ?? '-'} ${l.text}`).join('\n');

describe('cache problems are coded (Docker)', () => {
  let busybox = '';
  before(async () => {
    busybox = await ensureBusyboxImage(docker);
  });

  test('missing key files and an unreachable server cache store: coded lines, English text kept', async () => {
    // The server's store refusing is what an agent sees when the server is down or restarting.
    const remote: CacheRemote = {
      download: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:9');
      },
      upload: async () => {},
    };
    const lines = await run(
      `version: 1
image: ${busybox}
stages:
  - name: s
    jobs:
      j:
        script: ['true']
        cache: { key: { files: [nope.lock], prefix: deps }, paths: [deps], policy: pull }
`,
      { backend: new DockerBackend({ docker }), cacheRemote: remote },
    );
    const missing = lines.find((l) => l.code === 'cache.key_files_missing');
    assert.ok(missing, show(lines));
    assert.deepEqual(missing.params, { files: 'nope.lock', count: 1 });
    assert.equal(missing.text, 'cache: key files not in the workspace: nope.lock');
    const asked = lines.find((l) => l.code === 'cache.remote_ask_failed');
    assert.ok(asked, show(lines));
    assert.match(String(asked.params?.key), /^deps-[0-9a-f]{16}$/);
    assert.equal(asked.params?.detail, 'connect ECONNREFUSED 127.0.0.1:9');
    assert.equal(
      asked.text,
      `cache: the server's cache store could not be asked for key ${asked.params?.key}: connect ECONNREFUSED 127.0.0.1:9`,
    );
  });

  test('a cache that cannot be restored (engine unreachable) is one coded warning, and the job goes on', async () => {
    const written: CodedSystemLine[] = [];
    const output: JobOutput = {
      write: () => {},
      system: (text) => assert.fail(`uncoded line: ${text}`),
      systemCode: (line) => written.push(line),
    };
    const spec: JobCacheSpec = {
      namespace,
      key: { kind: 'text', text: 'k' },
      fallbackKeys: [],
      paths: ['/deps'],
      restore: true,
      save: 'on_success',
      noSaveReason: null,
    };
    // A real client aimed at a socket nobody listens on: the engine's own error comes back.
    const gone = new Dockerode({ socketPath: `/tmp/${namespace}-no-engine.sock` });
    const caches = await prepareJobCaches(
      {
        docker: gone,
        scope: undefined,
        runId: 'r',
        job: 'j',
        labels: {},
        readFile: async () => null,
        overlayCheck: { result: null },
      },
      [spec],
      output,
    );
    assert.deepEqual(caches.mounts, []);
    assert.equal(written.length, 1, JSON.stringify(written));
    const [line] = written;
    assert.ok(line && line.code === 'cache.restore_failed', JSON.stringify(line));
    const detail = line.params.detail;
    assert.match(detail, /ENOENT|no-engine/);
    assert.equal(line.text, `cache: could not be restored, the job runs without it: ${detail}`);
  });
});

describe('image pulls are coded (Docker + a local registry)', () => {
  let registry: TestRegistry;
  before(async () => {
    registry = await startRegistry();
  });
  after(async () => {
    await registry.stop();
  });

  test('a missing image: "pulling" then "pulled" with the time it took, English text kept', async () => {
    const busybox = await ensureBusyboxImage(docker);
    const [repo, tag] = [`${registry.host}/syslog2/busybox`, randomUUID().slice(0, 8)];
    const remote = `${repo}:${tag}`;
    await docker.getImage(busybox).tag({ repo, tag });
    // The engine wants an auth header even for an anonymous push.
    const pushed = (await docker.getImage(repo).push({
      tag,
      authconfig: { serveraddress: registry.host },
    } as unknown as Dockerode.ImagePushOptions)) as NodeJS.ReadableStream;
    await new Promise((resolve, reject) =>
      docker.modem.followProgress(pushed, (err: Error | null) => (err ? reject(err) : resolve(null))),
    );
    // Only the tag goes: the job's image is then missing here and must come from the registry.
    await docker.getImage(remote).remove();
    // An image the run did not announce at setup (one expanded from a variable at job time):
    // the job's own check pulls it, and says so in its log.
    const backend = new DockerBackend({ docker });
    const runId = `syslog2-${randomUUID().slice(0, 8)}`;
    const written: CodedSystemLine[] = [];
    const output: JobOutput = {
      write: () => {},
      system: (text) => assert.fail(`uncoded line: ${text}`),
      systemCode: (line) => written.push(line),
    };
    try {
      await backend.setupRun({
        runId,
        workspacePath: '/workspace',
        source: { kind: 'empty' },
        images: [],
        labels: { 'io.slipway.owner': `test:${process.pid}` },
      });
      const outcome = await backend.runJob(
        {
          runId,
          name: 'j',
          image: remote,
          script: 'true',
          env: {},
          services: [],
          workspacePath: '/workspace',
          graceMs: 1000,
        },
        output,
        new AbortController().signal,
      );
      assert.deepEqual(outcome, { kind: 'exited', exitCode: 0 });
      assert.deepEqual(
        written.map((l) => [l.code, (l.params as { image?: string }).image]),
        [
          ['image.pulling', remote],
          ['image.pulled', remote],
        ],
      );
      const [pulling, pulled] = written;
      assert.equal(pulling?.text, `pulling image ${remote}`);
      assert.ok(pulled?.code === 'image.pulled' && pulled.params.ms >= 0, JSON.stringify(pulled));
      assert.equal(pulled.text, `pulled image ${remote} in ${(pulled.params.ms / 1000).toFixed(1)} s`);
    } finally {
      await backend.destroyRun(runId);
      await docker
        .getImage(remote)
        .remove()
        .catch(() => {});
    }
  });
});

describe('job start and end lines are coded (fake backend)', () => {
  const fake = () => ({ backend: new FakeBackend() });

  test('secrets the run does not have: coded with names, job and count (the one line the job writes)', async () => {
    const lines = await run(
      `version: 1
image: alpine
stages:
  - name: s
    jobs:
      deploy: { script: ['echo hi'], secrets: [API_TOKEN, DB_PASSWORD] }
`,
      fake(),
    );
    const coded = lines.filter((l) => l.code !== undefined);
    assert.deepEqual(
      coded.map((l) => [l.code, l.params, l.text]),
      [
        [
          'secrets.missing',
          { names: 'API_TOKEN, DB_PASSWORD', job: 'deploy', count: 2 },
          '[slipway] secrets API_TOKEN, DB_PASSWORD not set (job "deploy" names them in secrets:)',
        ],
      ],
    );
  });

  test('a refused secret value names the secret and why, never the value', async () => {
    const lines = await run(
      `version: 1
image: alpine
stages:
  - name: s
    jobs:
      j: { script: ['echo hi'], secrets: [SHORT] }
`,
      { ...fake(), secrets: { SHORT: 'ab' } },
    );
    const refused = lines.find((l) => l.code === 'secrets.refused');
    assert.ok(refused, show(lines));
    assert.equal(refused.params?.name, 'SHORT');
    assert.equal(refused.params?.job, 'j');
    assert.match(String(refused.params?.detail), /^is 2 characters; secrets shorter than/);
    assert.equal(refused.text, `[slipway] secret SHORT ${refused.params?.detail} (job "j" names it)`);
  });

  test("the final failure line carries the failure's reason and params", async () => {
    const lines = await run(
      `version: 1
image: alpine
stages:
  - name: s
    jobs:
      unit: { script: ['exit 3'] }
`,
      fake(),
    );
    const last = lines.at(-1);
    assert.deepEqual(
      { code: last?.code, params: last?.params, text: last?.text },
      {
        code: 'job.failed',
        params: { reason: 'exit_code', code: 3, message: 'job "unit" exited with code 3' },
        text: '[slipway] job "unit" exited with code 3',
      },
    );
  });

  test('a failure message quoting a secret is masked in the coded line too', async () => {
    const lines = await run(
      `version: 1
image: missing-very-secret-tag-value
stages:
  - name: s
    jobs:
      unit: { script: ['true'] }
`,
      { ...fake(), secrets: { TAG_FROM_SECRET: 'very-secret-tag-value' } },
    );
    const failed = lines.find((l) => l.code === 'job.failed');
    assert.ok(failed, show(lines));
    assert.equal(failed.params?.reason, 'image_not_found');
    assert.equal(failed.params?.image, `missing-${MASK}`);
    assert.doesNotMatch(JSON.stringify(failed), /very-secret-tag-value/);
  });

  test('a resources request above the maximum is one coded warning per resource', async () => {
    const lines = await run(
      `version: 1
image: alpine
stages:
  - name: s
    jobs:
      big: { script: ['true'], resources: { memory: 64g, pids: 100000 } }
`,
      {
        ...fake(),
        resourceLimits: {
          default: { memoryBytes: 1 * GiB, pids: 512, cpus: null },
          max: { memoryBytes: 2 * GiB, pids: 1024, cpus: null },
        },
      },
    );
    const limited = lines.filter((l) => l.code === 'resources.limited');
    assert.deepEqual(
      limited.map((l) => [l.params, l.text]),
      [
        [
          { what: 'memory', asked: '64 GiB', max: '2 GiB' },
          '[slipway] resources: memory 64 GiB asked, limited to the maximum allowed here, 2 GiB',
        ],
        [
          { what: 'pids', asked: '100000', max: '1024' },
          '[slipway] resources: pids 100000 asked, limited to the maximum allowed here, 1024',
        ],
      ],
    );
    assert.ok(
      lines.filter((l) => l.stream === 'system').every((l) => l.code && isSystemLineCode(l.code)),
      show(lines),
    );
  });
  test("an untrusted run's build says, coded, that its image is not pushed", async () => {
    // The fake engine "builds" by naming the image; what matters is the runtime's line before it.
    class BuildingFake extends FakeBackend {
      async buildImage(spec: BuildSpec): Promise<BuildOutcome> {
        return {
          kind: 'built',
          image: {
            repository: spec.repository,
            tags: spec.tags,
            digest: null,
            imageId: 'sha256:feed',
            size: null,
            pushed: spec.push,
            registry: null,
          },
        };
      }
    }
    const lines = await run(
      `version: 1
stages:
  - name: s
    jobs:
      image: { build: { image: registry.example:5000/team/api } }
`,
      { backend: new BuildingFake(), pushPolicy: { trusted: false, refusals: {} } },
    );
    const line = lines.find((l) => l.code === 'image.not_pushed_untrusted');
    assert.ok(line, show(lines));
    assert.deepEqual(line.params, { repository: 'registry.example:5000/team/api' });
    assert.equal(
      line.text,
      'not pushing registry.example:5000/team/api: this run comes from an untrusted event (a fork pull request), so its image stays on the build engine',
    );
  });
});
