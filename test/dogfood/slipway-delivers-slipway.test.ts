/**
 * Slipway delivers Slipway (吃自己的狗食): this repository's committed HEAD is pushed over smart
 * HTTP to a real `slipway server` (embedded agent, real Docker engine, real registry), and its own
 * `.slipway.yml` installs, typechecks, lints, tests (JUnit + coverage in the record), builds the
 * web UI and the server once, builds and pushes Slipway's image, and rolls it out to the `dev`
 * environment of the `slipway` application, which then answers /healthz from that image.
 * A second push (no lock-file change) restores node_modules from the cache instead of `npm ci`.
 * Durations are reported as diagnostics, never asserted (BENCHMARKS.md has them).
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Dockerode from 'dockerode';
import { DockerTarget } from '../../src/deploy/docker-target.js';
import { LABEL_DEPLOY_ENV, LABEL_DEPLOY_PROJECT } from '../../src/deploy/labels.js';
import { eventually, get } from '../deploy/deploy-support.js';
import { removeRepository } from '../images/build-support.js';
import { launchChromium, newContext, SCREENSHOT_DIR, signIn } from '../support/browser.js';
import { freePort } from '../support/free-port.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import {
  createAdminToken,
  type SlipwayServerProcess,
  startSlipwayServer,
} from '../support/slipway-server.js';
import { ensureWebBuilt } from '../support/web-build.js';
import {
  apiClient,
  cloneSelf,
  dogfoodShouldRun,
  ensurePipelineImages,
  type ImagesJson,
  jobLog,
  type ReleaseJson,
  type RunJson,
  runLogs,
  type SelfClone,
  type TestsJson,
  waitForRun,
} from './dogfood-support.js';

const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
const PASSWORD = 'dogfood-admin-password-42';
const REGISTRY_AUTH = { username: 'ci', password: 'dogfood-registry-77' };
// The records page then reads "slipway": Slipway building itself. The server is a fresh one in a
// temp data dir, so the name cannot clash.
const project = 'slipway';
const APP = 'slipway';
const RUN_TIMEOUT = 40 * 60_000;
const HEALTHZ_COMMAND = [
  'node',
  '-e',
  "fetch('http://127.0.0.1:8080/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))",
];

let registry: TestRegistry | null = null;
let server: SlipwayServerProcess | null = null;
let clone: SelfClone | null = null;
let token = '';
let api: ReturnType<typeof apiClient>;
const ports = { dev: 0, production: 0 };

async function latestRunNumber(): Promise<number> {
  const page = await api<{ runs: { number: number }[] }>(`/api/projects/${project}/runs?limit=1`);
  return page.runs[0]?.number ?? 0;
}

/** Pushes main and returns the run it starts. */
async function pushMain(): Promise<number> {
  assert.ok(clone);
  const previous = await latestRunNumber();
  await clone.git('push', '-q', 'slipway', 'main');
  let number = 0;
  await eventually(
    async () => {
      number = await latestRunNumber();
      return number > previous;
    },
    60_000,
    `a run after #${previous}`,
  );
  return number;
}

async function assertGreen(run: RunJson): Promise<void> {
  const logs = run.status === 'succeeded' ? '' : await runLogs(server?.url ?? '', token, project, run);
  assert.equal(run.status, 'succeeded', logs);
  assert.deepEqual(
    run.jobs.map((j) => [j.name, j.status]),
    [
      ['install', 'succeeded'],
      ['typecheck', 'succeeded'],
      ['lint', 'succeeded'],
      ['unit', 'succeeded'],
      ['web', 'succeeded'],
      ['image', 'succeeded'],
      ['dev', 'succeeded'],
      ['production', 'manual'],
    ],
  );
}

describe('Slipway delivers Slipway', { skip: !dogfoodShouldRun(), timeout: 50 * 60_000 }, () => {
  before(async () => {
    // The jobs' images, made offline by the user-facing script (nothing can be pulled here).
    await ensurePipelineImages();
    await ensureWebBuilt();
    registry = await startRegistry(REGISTRY_AUTH);
    ports.dev = await freePort();
    ports.production = await freePort();
    server = await startSlipwayServer({
      password: PASSWORD,
      killAfterMs: 50 * 60_000,
      // The registry listens on loopback, which outbound rules refuse unless allowlisted.
      env: { SLIPWAY_OUTBOUND_ALLOWLIST: '127.0.0.1' },
    });
    token = await createAdminToken(server.url, PASSWORD, 'dogfood');
    api = apiClient(server.url, token);
  });

  after(async () => {
    await clone?.cleanup();
    await server?.stop();
    const target = new DockerTarget({ docker });
    for (const env of ['dev', 'production']) await target.remove({ project, app: APP, env }).catch(() => {});
    if (registry) await removeRepository(docker, `${registry.host}/slipway`);
    await registry?.stop();
  });

  test('a push of this repository: green record with test counts, image pushed, dev healthy; the second run hits the cache', async (t) => {
    assert.ok(server && registry);
    await api('/api/projects', {
      method: 'POST',
      body: JSON.stringify({ name: project, source: { kind: 'builtin' } }),
    });
    await api(`/api/projects/${project}/registries`, {
      method: 'POST',
      body: JSON.stringify({ host: registry.host, ...REGISTRY_AUTH }),
    });
    const repository = `${registry.host}/slipway`;
    // Slipway's image listens on 8080 and reports its health (database read + write) on /healthz.
    // An `http` check runs wget or curl in the container, which the lite image has neither of:
    // `node` itself asks /healthz, as the image's own HEALTHCHECK does.
    const envConfig = (env: 'dev' | 'production') => ({
      repository,
      ports: [{ published: ports[env], target: 8080 }],
      healthcheck: { command: HEALTHZ_COMMAND, intervalMs: 1000, timeoutMs: 3000, retries: 60 },
    });
    await api(`/api/projects/${project}/applications`, {
      method: 'POST',
      body: JSON.stringify({
        name: APP,
        environments: [
          { name: 'dev', target: 'docker', config: envConfig('dev') },
          { name: 'production', target: 'docker', requiresApproval: true, config: envConfig('production') },
        ],
      }),
    });

    clone = await cloneSelf(registry.host);
    await clone.git(
      'remote',
      'add',
      'slipway',
      `http://admin:${token}@127.0.0.1:${server.port}/git/${project}.git`,
    );

    // 1. First push: nothing cached yet.
    const first = await waitForRun(api, project, await pushMain(), RUN_TIMEOUT);
    await assertGreen(first);
    t.diagnostic(`run #${first.number} (cold cache): ${first.durationMs ?? jobsSpan(first)} ms`);
    for (const job of first.jobs) t.diagnostic(`  ${job.name}: ${jobMs(job)} ms`);
    const install1 = await jobLog(server.url, token, project, first.number, 'install');
    assert.match(install1, /cache: no cache for key deps-[0-9a-f]{16}/, install1.slice(-3000));
    assert.match(install1, /\$ \[ -f node_modules\/\.package-lock\.json \] \|\| npm ci/);

    // The record's test counts and coverage (JUnit and the coverage regex of the unit job).
    const tests = await api<TestsJson>(`/api/projects/${project}/runs/${first.number}/tests`);
    const unit = tests.jobs.find((j) => j.job === 'unit');
    assert.ok(unit && unit.total > 50, `the unit job reported its cases: ${JSON.stringify(tests.jobs)}`);
    assert.equal(unit.failed, 0);
    assert.ok(unit.passed > 50, `passed: ${unit.passed}`);
    assert.ok(
      unit.coverage !== null && unit.coverage > 0 && unit.coverage <= 100,
      `coverage: ${unit.coverage}`,
    );
    t.diagnostic(`tests: ${unit.passed}/${unit.total} passed, coverage ${unit.coverage}%`);

    // The image in the registry view, with the digest the registry serves.
    const digest = await pushedDigest(repository, first.number);

    // dev runs that digest and answers /healthz from it.
    const devReleases = await api<{ releases: ReleaseJson[] }>(
      `/api/projects/${project}/applications/${APP}/releases?env=dev`,
    );
    assert.equal(devReleases.releases[0]?.status, 'succeeded', JSON.stringify(devReleases.releases));
    assert.equal(devReleases.releases[0]?.digest, digest, 'dev runs the pushed digest');
    await assertHealthyFrom(ports.dev, digest);

    // 2. Second push, lock file unchanged: node_modules comes from the cache.
    await clone.git('commit', '-q', '--allow-empty', '-m', 'ci: second run (cache warm)');
    const second = await waitForRun(api, project, await pushMain(), RUN_TIMEOUT);
    await assertGreen(second);
    t.diagnostic(`run #${second.number} (warm cache): ${second.durationMs ?? jobsSpan(second)} ms`);
    for (const job of second.jobs) t.diagnostic(`  ${job.name}: ${jobMs(job)} ms`);
    // Two green records of Slipway building itself: the README's picture.
    await screenshotRecords(server.url);
    const install2 = await jobLog(server.url, token, project, second.number, 'install');
    const cacheLines = (log: string) =>
      log
        .split('\n')
        .filter((l) => l.includes('cache'))
        .join('\n');
    assert.match(
      install2,
      /cache: restored key deps-[0-9a-f]{16}/,
      `run #1 install:\n${cacheLines(install1)}\nrun #2 install:\n${cacheLines(install2)}`,
    );
    // The restored node_modules already matches the lock file: no `npm ci` ran.
    assert.doesNotMatch(install2, /added \d+ packages/);
    const digest2 = await pushedDigest(repository, second.number);
    await assertHealthyFrom(ports.dev, digest2);

    // Production waits for its click: playing the manual job is the approval.
    assert.equal(second.jobs.find((j) => j.name === 'production')?.manual, true);
  });
});

function jobMs(job: RunJson['jobs'][number]): number | null {
  return job.startedAt !== null && job.finishedAt !== null ? job.finishedAt - job.startedAt : null;
}

/** First job start to last job end (the run stays open while production waits for its click). */
function jobsSpan(run: RunJson): number {
  const starts = run.jobs.map((j) => j.startedAt).filter((v): v is number => v !== null);
  const ends = run.jobs.map((j) => j.finishedAt).filter((v): v is number => v !== null);
  return Math.max(...ends) - Math.min(...starts);
}

/** The catalogue's digest of the image run `runNumber` pushed, checked against the registry. */
async function pushedDigest(repository: string, runNumber: number): Promise<string> {
  assert.ok(registry);
  const { repositories } = await api<ImagesJson>(`/api/projects/${project}/images`);
  const tags = repositories.find((r) => r.repository === repository)?.tags ?? [];
  const tag = tags.find((x) => x.run.number === runNumber && x.tag !== 'latest');
  assert.ok(
    tag?.pushed && tag.digest,
    `run #${runNumber} pushed ${repository}: ${JSON.stringify(repositories)}`,
  );
  const served = await registry.manifestDigest('slipway', tag.tag);
  assert.equal(tag.digest, served, 'the recorded digest is what the registry serves');
  return tag.digest;
}

/** /healthz answers ok on the published port, and the serving container runs `digest`. */
async function assertHealthyFrom(port: number, digest: string): Promise<void> {
  let body = '';
  await eventually(
    async () => {
      const res = await get(port, '/healthz', 2000).catch(() => null);
      body = res?.body ?? '';
      return res?.status === 200;
    },
    60_000,
    `/healthz on port ${port}`,
  );
  assert.equal((JSON.parse(body) as { status: string }).status, 'ok');
  const containers = await docker.listContainers({
    filters: { label: [`${LABEL_DEPLOY_PROJECT}=${project}`, `${LABEL_DEPLOY_ENV}=dev`] },
  });
  assert.ok(containers.length > 0, 'a dev container runs');
  const images = await Promise.all(containers.map((c) => docker.getImage(c.ImageID).inspect()));
  assert.ok(
    images.some((img) => (img.RepoDigests ?? []).some((d) => d.endsWith(`@${digest}`))),
    `a dev container runs ${digest}: ${JSON.stringify(images.map((i) => i.RepoDigests))}`,
  );
}

/** The records page of Slipway building itself, for the README (docs/screenshots/). */
async function screenshotRecords(url: string): Promise<void> {
  const browser = await launchChromium();
  try {
    const page = await (await newContext(browser, { width: 1280, height: 720 })).newPage();
    await signIn(page, url, 'admin', PASSWORD);
    await page.goto(`${url}/projects/${project}`);
    await page.waitForSelector('text=main-');
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    // The README's picture (docs/screenshots/dogfood-records.png) is a copy of this one.
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'dogfood-records.png') });
  } finally {
    await browser.close();
  }
}
