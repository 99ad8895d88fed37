/**
 * The delivery loop the product promises, on a real `slipway server` process (embedded agent,
 * real Docker engine, real registry, real git over smart HTTP): push `examples/service` to
 * develop → test → build + push → the run's deploy job rolls it out to dev; push a new version →
 * dev switches with no failed request; deploy that digest to staging with the CLI; promote
 * staging → production, which waits for a maintainer's approval and then runs the same digest.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Dockerode from 'dockerode';
import { DockerTarget } from '../../src/deploy/docker-target.js';
import { countLabelled, eventually, get, requestLoop } from '../deploy/deploy-support.js';
import { removeRepository } from '../images/build-support.js';
import { runCli } from '../support/cli.js';
import { freePort } from '../support/free-port.js';
import { type WorkRepo, workRepo } from '../support/git.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { type SlipwayServerProcess, startSlipwayServer } from '../support/slipway-server.js';
import { ensureBusyboxImage } from '../support/test-images.js';

const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
const EXAMPLE = fileURLToPath(new URL('../../examples/service/', import.meta.url));
const EXAMPLE_REGISTRY = '127.0.0.1:5000';
const PASSWORD = 'delivery-admin-password-42';
const MAINTAINER = { username: 'mia', password: 'maintainer-password-42' };
const REGISTRY_AUTH = { username: 'ci', password: 'registry-password-77' };
const project = `loop${Date.now().toString(36)}`;
const ENVS = ['dev', 'staging', 'production'] as const;
const SERVICE_PORT = 8080;

let registry: TestRegistry;
let server: SlipwayServerProcess | null = null;
let url = '';
let configHome = '';
let token = '';
let repo: WorkRepo | null = null;
const ports: Record<(typeof ENVS)[number], number> = { dev: 0, staging: 0, production: 0 };

interface Release {
  number: number;
  environment: string;
  image: string | null;
  digest: string | null;
  trigger: string;
  status: string;
  reason: string | null;
  releaseRun: number | null;
  promotedFrom: number | null;
}
interface Run {
  number: number;
  status: string;
  jobs: { name: string; status: string }[];
}
interface ImageTag {
  tag: string;
  digest: string | null;
  pushed: boolean;
  run: { number: number };
}

async function call<T>(path: string, init: RequestInit = {}, bearer = token): Promise<T> {
  const res = await fetch(`${url}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${bearer}`,
      ...(init.body ? { 'content-type': 'application/json' } : {}),
      ...init.headers,
    },
  });
  const text = await res.text();
  assert.ok(res.ok, `${init.method ?? 'GET'} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Signs in with a password and makes an API token (what a user does once in Settings). */
async function tokenFor(username: string, password: string): Promise<string> {
  const login = await fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  assert.equal(login.status, 200, await login.clone().text());
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const created = await fetch(`${url}/api/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
    body: JSON.stringify({ name: 'delivery-loop' }),
  });
  assert.equal(created.status, 201, await created.clone().text());
  return ((await created.json()) as { token: string }).token;
}

async function waitForRun(number: number, timeoutMs = 180_000): Promise<Run> {
  const deadline = Date.now() + timeoutMs;
  let last: Run | null = null;
  while (Date.now() < deadline) {
    const res = await fetch(`${url}/api/projects/${project}/runs/${number}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (res.ok) {
      last = (await res.json()) as Run;
      if (['succeeded', 'failed', 'canceled', 'skipped'].includes(last.status)) return last;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`run #${number} did not end in time; last seen: ${JSON.stringify(last)}`);
}

/** A failed run's job logs, so an assertion says why. */
async function jobLogs(run: Run): Promise<string> {
  const parts: string[] = [];
  for (const job of run.jobs) {
    const res = await fetch(`${url}/api/projects/${project}/runs/${run.number}/jobs/${job.name}/logs/raw`, {
      headers: { authorization: `Bearer ${token}` },
    });
    parts.push(`--- ${job.name} (${job.status})\n${await res.text()}`);
  }
  return parts.join('\n');
}

async function releases(env: string): Promise<Release[]> {
  const page = await call<{ releases: Release[] }>(
    `/api/projects/${project}/applications/web/releases?env=${env}`,
  );
  return page.releases;
}

async function releaseEnded(env: string, number: number, timeoutMs = 120_000): Promise<Release> {
  const deadline = Date.now() + timeoutMs;
  let last: Release | undefined;
  while (Date.now() < deadline) {
    last = (await releases(env)).find((r) => r.number === number);
    if (last && ['succeeded', 'failed', 'rolled_back', 'canceled'].includes(last.status)) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`release ${env}#${number} did not end in time: ${JSON.stringify(last)}`);
}

async function latestRunNumber(): Promise<number> {
  const page = await call<{ runs: { number: number }[] }>(`/api/projects/${project}/runs?limit=1`);
  return page.runs[0]?.number ?? 0;
}

/** The example's files, with its registry placeholder pointed at the test registry. */
function exampleFiles(version: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else files[relative(EXAMPLE, full)] = readFileSync(full, 'utf8');
    }
  };
  walk(EXAMPLE);
  const config = files['.slipway.yml'] ?? '';
  assert.ok(config.includes(EXAMPLE_REGISTRY), 'the example names its registry');
  files['.slipway.yml'] = config.replaceAll(EXAMPLE_REGISTRY, registry.host);
  files.VERSION = `${version}\n`;
  return files;
}

/** Commits the example at `version` and pushes it to develop; returns the run it starts. */
async function pushVersion(version: string): Promise<number> {
  assert.ok(repo);
  const previous = await latestRunNumber();
  await repo.commit(exampleFiles(version), `release ${version}`);
  await repo.git('push', '-q', 'slipway', 'develop');
  let number = 0;
  await eventually(
    async () => {
      number = await latestRunNumber();
      return number > previous;
    },
    30_000,
    `a run after #${previous}`,
  );
  return number;
}

async function version(env: (typeof ENVS)[number]): Promise<string> {
  return (await get(ports[env], '/version')).body.trim();
}

const cli = (args: string[]) =>
  runCli(args, { cwd: configHome, killAfterMs: 120_000, env: { XDG_CONFIG_HOME: configHome } });

describe('push → build → image → deploy → it answers', { timeout: 900_000 }, () => {
  before(async () => {
    await ensureBusyboxImage(docker);
    registry = await startRegistry(REGISTRY_AUTH);
    for (const env of ENVS) ports[env] = await freePort();
    configHome = mkdtempSync(join(tmpdir(), 'slipway-delivery-cli-'));
    server = await startSlipwayServer({
      password: PASSWORD,
      killAfterMs: 900_000,
      // The test registry listens on loopback, which rule 11 refuses unless allowlisted.
      env: { SLIPWAY_OUTBOUND_ALLOWLIST: '127.0.0.1' },
    });
    url = server.url;
    token = await tokenFor('admin', PASSWORD);
    const loggedIn = await cli(['login', '--server', url, '--token', token]);
    assert.equal(loggedIn.code, 0, loggedIn.stderr);
  });

  after(async () => {
    await repo?.cleanup();
    await server?.stop();
    // The proxies lived in the server's agent; the containers and networks are on the engine.
    const target = new DockerTarget({ docker });
    for (const env of ENVS) await target.remove({ project, app: 'web', env }).catch(() => {});
    await removeRepository(docker, `${registry?.host}/examples/web`);
    await registry?.stop();
    rmSync(configHome, { recursive: true, force: true });
  });

  test('the whole loop, from a push to develop to an approved production', async (t) => {
    // Set up through the API: project, registry credentials, application with three environments.
    await call('/api/projects', {
      method: 'POST',
      body: JSON.stringify({
        visibility: 'internal',
        name: project,
        source: { kind: 'builtin' },
      }),
    });
    await call(`/api/projects/${project}/registries`, {
      method: 'POST',
      body: JSON.stringify({ host: registry.host, ...REGISTRY_AUTH }),
    });
    const repository = `${registry.host}/examples/web`;
    const health = { http: { path: '/health', port: SERVICE_PORT }, intervalMs: 500, retries: 10 };
    const envConfig = (env: (typeof ENVS)[number]) => ({
      repository,
      ports: [{ published: ports[env], target: SERVICE_PORT }],
      healthcheck: health,
    });
    await call(`/api/projects/${project}/applications`, {
      method: 'POST',
      body: JSON.stringify({
        name: 'web',
        environments: [
          { name: 'dev', target: 'docker', autoRelease: { branches: ['develop'] }, config: envConfig('dev') },
          { name: 'staging', target: 'docker', config: envConfig('staging') },
          { name: 'production', target: 'docker', requiresApproval: true, config: envConfig('production') },
        ],
      }),
    });
    await call('/api/users', { method: 'POST', body: JSON.stringify({ ...MAINTAINER, role: 'maintainer' }) });
    const maintainerToken = await tokenFor(MAINTAINER.username, MAINTAINER.password);

    repo = await workRepo('develop');
    await repo.git(
      'remote',
      'add',
      'slipway',
      `http://admin:${token}@127.0.0.1:${server?.port}/git/${project}.git`,
    );

    // 1. First push: test → build (pushed, digest in the catalogue) → deploy job → dev answers.
    // Durations are reported, never asserted (performance belongs in bench/).
    const pushedAt = Date.now();
    const first = await waitForRun(await pushVersion('1.0.0'));
    assert.equal(first.status, 'succeeded', await jobLogs(first));
    assert.deepEqual(
      first.jobs.map((j) => [j.name, j.status]),
      [
        ['version-file', 'succeeded'],
        ['image', 'succeeded'],
        ['dev', 'succeeded'],
      ],
    );
    const digest1 = await currentDigest(repository, first.number);
    assert.equal(await version('dev'), '1.0.0');
    t.diagnostic(`first push → dev answers 1.0.0: ${Date.now() - pushedAt} ms`);
    const dev1 = await releases('dev');
    assert.equal(
      dev1.length,
      1,
      `one release per push (the deploy job, not also auto release): ${JSON.stringify(dev1)}`,
    );
    assert.equal(dev1[0]?.trigger, 'pipeline');
    assert.equal(dev1[0]?.status, 'succeeded');
    assert.equal(dev1[0]?.digest, digest1, 'dev runs the pushed digest');

    // 2. Second push with a new version: dev switches while a request loop sees no failure.
    const loop = requestLoop(ports.dev, 20, 300_000);
    const pushed2At = Date.now();
    const second = await waitForRun(await pushVersion('1.1.0'));
    assert.equal(second.status, 'succeeded', await jobLogs(second));
    await eventually(async () => (await version('dev')) === '1.1.0', 30_000, 'dev to answer 1.1.0');
    t.diagnostic(`second push → dev answers 1.1.0: ${Date.now() - pushed2At} ms`);
    const seen = await loop.stop();
    t.diagnostic(`requests during the rollout: ${seen.ok} ok, ${seen.failed} failed`);
    assert.equal(
      seen.failed,
      0,
      `no failed request during the rollout: ${seen.errors.slice(0, 5).join('; ')}`,
    );
    assert.ok(seen.ok > 10, `the loop ran (${seen.ok} requests)`);
    assert.deepEqual([...seen.versions].sort(), ['1.0.0', '1.1.0']);
    const digest2 = await currentDigest(repository, second.number);
    assert.notEqual(digest2, digest1);

    // 3. That digest to staging, with the CLI.
    const deployed = await cli(['deploy', project, 'web', 'staging', '--digest', digest2, '--json']);
    assert.equal(deployed.code, 0, deployed.stdout + deployed.stderr);
    const staged = await releaseEnded('staging', (JSON.parse(deployed.stdout) as Release).number);
    assert.equal(staged.status, 'succeeded', staged.reason ?? '');
    assert.equal(staged.digest, digest2);
    assert.equal(await version('staging'), '1.1.0');

    // 4. Promote staging → production: it waits for approval, a maintainer approves.
    const promoted = await call<Release>(
      `/api/projects/${project}/applications/web/environments/production/promote`,
      {
        method: 'POST',
        body: JSON.stringify({ from: 'staging' }),
      },
    );
    assert.equal(promoted.status, 'awaiting_approval');
    await assert.rejects(get(ports.production, '/version', 500), 'nothing serves production before approval');
    await call(
      `/api/projects/${project}/applications/web/environments/production/releases/${promoted.number}/approve`,
      { method: 'POST' },
      maintainerToken,
    );
    const prod = await releaseEnded('production', promoted.number);
    assert.equal(prod.status, 'succeeded', prod.reason ?? '');
    assert.equal(await version('production'), '1.1.0');
    // Production got exactly the digest that passed staging.
    assert.equal(prod.digest, staged.digest);
    assert.equal(prod.promotedFrom, staged.number);
    assert.match(prod.image ?? '', new RegExp(`@${digest2}$`));
    const labelled = await countLabelled(docker, project);
    assert.equal(labelled.containers, 3, `one container per environment: ${JSON.stringify(labelled)}`);
  });
});

/** The catalogue's digest of the image run `runNumber` pushed (its record tag). */
async function currentDigest(repository: string, runNumber: number): Promise<string> {
  const { repositories } = await call<{ repositories: { repository: string; tags: ImageTag[] }[] }>(
    `/api/projects/${project}/images`,
  );
  const tags = repositories.find((r) => r.repository === repository)?.tags ?? [];
  const tag = tags.find((t) => t.run.number === runNumber);
  assert.ok(
    tag?.pushed && tag.digest,
    `run #${runNumber} pushed ${repository}: ${JSON.stringify(repositories)}`,
  );
  const manifest = await registry.manifestDigest('examples/web', tag.tag);
  assert.equal(tag.digest, manifest, 'the recorded digest is what the registry serves');
  return tag.digest;
}
