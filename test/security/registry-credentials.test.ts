/**
 * Security rules 6 and 8 for registries, through the whole product: a real `slipway server`
 * (embedded agent, SLIPWAY_LOG_LEVEL=debug), a real htpasswd registry, a git push. After a push
 * with credentials, the password is in no job log, no API answer, not in the workspace a later
 * job sees, not in the image (config, labels, env, `docker history`). After a failed push (the
 * credentials were rotated to a wrong password) it is not in the job's failure, the log or the
 * server's own debug output either.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Dockerode from 'dockerode';
import { removeRepository } from '../images/build-support.js';
import { git, makeRepo, type TempRepo } from '../support/cli.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import {
  createAdminToken,
  type SlipwayServerProcess,
  startSlipwayServer,
} from '../support/slipway-server.js';
import { ensureBusyboxImage } from '../support/test-images.js';

const ADMIN_PASSWORD = 'admin-password-for-creds-test';
const GOOD = 'registry-good-Pa55word-4417';
const WRONG = 'registry-wrong-Pa55word-9921';
const B64 = (s: string) => Buffer.from(s).toString('base64');

const docker = new Dockerode();
let registry: TestRegistry;
let server: SlipwayServerProcess;
let token: string;
const repos: TempRepo[] = [];

interface JobJson {
  name: string;
  status: string;
  failure: { reason: string; message: string } | null;
}
interface RunJson {
  number: number;
  status: string;
  jobs: JobJson[];
}

async function api(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
  });
}

function assertClean(text: string, where: string): void {
  for (const secret of [GOOD, WRONG, B64(`ci:${GOOD}`), B64(`ci:${WRONG}`)]) {
    assert.ok(!text.includes(secret), `${where} contains a registry credential`);
  }
}

async function pushAndWait(number: number, config: string, branch: string): Promise<RunJson> {
  const repo = await makeRepo({
    config,
    branch,
    files: { Dockerfile: 'FROM slipway-test/busybox:1\nRUN echo hi > /hi\n' },
  });
  repos.push(repo);
  const remote = `http://admin:${token}@127.0.0.1:${server.port}/git/creds.git`;
  await git(repo.dir, ['remote', 'add', 'slipway', remote]);
  await git(repo.dir, ['-c', 'credential.helper=', 'push', '-q', 'slipway', branch]);
  const deadline = Date.now() + 180_000;
  for (;;) {
    const res = await api(`/api/projects/creds/runs/${number}`);
    if (res.status === 200) {
      const run = (await res.json()) as RunJson;
      if (['succeeded', 'failed', 'canceled'].includes(run.status)) return run;
    }
    if (Date.now() > deadline) throw new Error(`run #${number} did not end`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function logOf(number: number, job: string): Promise<string> {
  const res = await api(`/api/projects/creds/runs/${number}/jobs/${job}/logs`);
  assert.equal(res.status, 200);
  return res.text();
}

const config = (host: string, tag: string) => `version: 1
stages:
  - name: build
    jobs:
      image:
        build: { image: "${host}/creds/app", tags: [${tag}] }
  - name: inspect
    jobs:
      look:
        image: slipway-test/busybox:1
        script:
          - ls -la /workspace
          - cat /workspace/.git/config 2>/dev/null || true
          - cat "$HOME/.docker/config.json" 2>/dev/null || echo "no docker config"
          - grep -rl "Pa55word" /workspace /root 2>/dev/null || echo "no credential files"
`;

describe('registry credentials never leak', { timeout: 600_000 }, () => {
  before(async () => {
    await ensureBusyboxImage(docker);
    registry = await startRegistry({ username: 'ci', password: GOOD });
    server = await startSlipwayServer({
      password: ADMIN_PASSWORD,
      killAfterMs: 600_000,
      env: { SLIPWAY_LOG_LEVEL: 'debug', SLIPWAY_OUTBOUND_ALLOWLIST: '127.0.0.1' },
    });
    token = await createAdminToken(server.url, ADMIN_PASSWORD, 'creds-test');
    const created = await api('/api/projects', {
      method: 'POST',
      body: JSON.stringify({ name: 'creds', source: { kind: 'builtin' } }),
    });
    assert.equal(created.status, 201, await created.text());
  });
  after(async () => {
    for (const repo of repos) await repo.cleanup();
    await server?.stop();
    await removeRepository(docker, `${registry?.host}/creds/app`);
    await registry?.stop();
  });

  test('a push with credentials: the password is nowhere in logs, API, workspace or image', async () => {
    const added = await api('/api/projects/creds/registries', {
      method: 'POST',
      body: JSON.stringify({ host: registry.host, username: 'ci', password: GOOD }),
    });
    const addedText = await added.text();
    assert.equal(added.status, 201, addedText);
    assertClean(addedText, 'the add answer');

    const run = await pushAndWait(1, config(registry.host, 'good'), 'main');
    assert.equal(run.status, 'succeeded', JSON.stringify(run));
    assert.ok(await registry.manifestDigest('creds/app', 'good'), 'pushed');
    const buildLog = await logOf(1, 'image');
    assert.match(buildLog, /pushed /);
    assertClean(buildLog, 'the build log');
    const lookLog = await logOf(1, 'look');
    assertClean(lookLog, 'the later job’s log');
    // Masking would hide a leak as ********: the later job must have found nothing to mask.
    assert.ok(!lookLog.includes('********'), lookLog);
    assert.match(lookLog, /no docker config/);
    assert.match(lookLog, /no credential files/);

    for (const path of [
      '/api/projects/creds/registries',
      '/api/projects/creds/runs/1',
      '/api/projects/creds/images',
    ]) {
      const res = await api(path);
      assert.equal(res.status, 200, path);
      assertClean(await res.text(), path);
    }

    const ref = `${registry.host}/creds/app:good`;
    const info = await docker.getImage(ref).inspect();
    assertClean(JSON.stringify(info), 'the image config');
    const history = await docker.getImage(ref).history();
    assertClean(JSON.stringify(history), 'docker history');
  });

  test('a failed push (wrong password): not in the failure, the log, or the server’s debug output', async () => {
    const rotated = await api('/api/projects/creds/registries', {
      method: 'POST',
      body: JSON.stringify({ host: registry.host, username: 'ci', password: WRONG }),
    });
    assert.equal(rotated.status, 201);
    const run = await pushAndWait(2, config(registry.host, 'bad'), 'second');
    assert.equal(run.status, 'failed', JSON.stringify(run));
    const job = run.jobs.find((j) => j.name === 'image');
    assert.equal(job?.status, 'failed');
    assert.match(job?.failure?.message ?? '', /refused the credentials|unauthorized|authentication/i);
    assertClean(JSON.stringify(run), 'the run answer');
    assertClean(await logOf(2, 'image'), 'the failed build log');
    assert.equal(await registry.manifestDigest('creds/app', 'bad'), null);
    const output = server.proc.stdout + server.proc.stderr;
    // The default level is warn: request lines (info) show SLIPWAY_LOG_LEVEL=debug took effect.
    assert.match(output, /"level":30.*\/api\/projects\/creds\/registries/, 'the server logged verbosely');
    assertClean(output, 'the server’s output');
  });
});
