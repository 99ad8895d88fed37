/**
 * The image catalogue on a real server, fed through the real agent protocol over HTTP: an agent
 * leases a run with a build job (receiving push credentials only when the run is trusted),
 * reports the built image in its job update, and the API, the `image` event and `slipway images`
 * show it — newest first, with the run and commit that built it; a re-pushed tag keeps history.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { after, before, describe, test } from 'node:test';
import type { ImageHistoryJsonType, ImagesJsonType } from '../../src/api/images.js';
import type { BuiltImageMessage, LeaseMessage } from '../../src/protocol/agent-protocol.js';
import type { ProjectEvent } from '../../src/server/services.js';
import type { ProjectRow } from '../../src/server/store/tables.js';
import { seedProject, seedRun } from '../queue/queue-fixture.js';
import { runCli } from '../support/cli.js';
import { createUserWithToken, startTestServer, type TestServer } from '../support/server.js';

/** A pipeline whose `image` job builds and pushes (planned by the real planner). */
const BUILD_PIPELINE = `version: 1
stages:
  - name: build
    jobs:
      image:
        build: { image: 127.0.0.1:5000/team/api }
  - name: test
    jobs:
      unit: { image: busybox, script: [echo tested] }
`;

const SCRIPT_PIPELINE = `version: 1
image: busybox
stages:
  - name: build
    jobs:
      image: { script: [echo no build] }
`;

let t: TestServer;
let agentToken: string;

before(async () => {
  t = await startTestServer({ SLIPWAY_LEASE_TIMEOUT: '15s' });
  const res = await t.api('/api/agents', {
    method: 'POST',
    body: JSON.stringify({ name: `builder-${randomUUID().slice(0, 6)}` }),
  });
  agentToken = ((await res.json()) as { token: string }).token;
});
after(async () => {
  await t.close();
});

function agentCall(path: string, body: unknown): Promise<Response> {
  return fetch(`${t.url}/api/agent${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${agentToken}`,
      'x-slipway-protocol': '1',
      'content-type': 'application/json',
    },
    body: JSON.stringify(body),
  });
}

/** A queued run whose `image` job builds (or, with build: false, runs a script). */
async function buildRun(project: ProjectRow, opts: { untrusted?: boolean; build?: boolean } = {}) {
  const run = await seedRun(t.server.ctx, project, {
    pipeline: opts.build === false ? SCRIPT_PIPELINE : BUILD_PIPELINE,
    untrusted: opts.untrusted ?? false,
  });
  assert.equal(Boolean(run.plan.stages[0]?.jobs[0]?.build), opts.build !== false);
  const row = await t.server.ctx.db
    .selectFrom('runs')
    .select(['number', 'record', 'sha'])
    .where('id', '=', run.runId)
    .executeTakeFirstOrThrow();
  return { ...run, ...row };
}

async function leaseNext(): Promise<LeaseMessage> {
  const res = await agentCall('/lease', { waitMs: 2000 });
  assert.equal(res.status, 200);
  return (await res.json()) as LeaseMessage;
}

function image(tags: string[], digest: string): BuiltImageMessage {
  return {
    repository: '127.0.0.1:5000/team/api',
    tags,
    digest,
    imageId: `sha256:${'1'.repeat(64)}`,
    size: 5_242_880,
    pushed: true,
    registry: '127.0.0.1:5000',
  };
}

/** The agent's side of a build: the job runs, succeeds with `built`, the run finishes. */
async function reportBuild(lease: LeaseMessage, built: BuiltImageMessage, repeats = 1): Promise<void> {
  const base = {
    name: 'image',
    stage: 'build',
    allowFailure: false,
    failure: null,
    skip: null,
    exitCode: null,
    startedAt: 1,
  };
  const jobs = `/leases/${lease.leaseId}/jobs`;
  assert.equal((await agentCall(jobs, { ...base, status: 'running', finishedAt: null })).status, 200);
  for (let i = 0; i < repeats; i++) {
    // A retried update (network error on the answer) must record nothing twice.
    const res = await agentCall(jobs, {
      ...base,
      status: 'succeeded',
      exitCode: 0,
      finishedAt: 2,
      image: built,
    });
    assert.equal(res.status, 200);
  }
  const finished = await agentCall(`/leases/${lease.leaseId}/finish`, {
    status: 'succeeded',
    startedAt: 1,
    finishedAt: 3,
    error: null,
  });
  assert.equal(finished.status, 204);
}

async function addRegistry(path: string, host: string, username: string, password: string) {
  const res = await t.api(path, { method: 'POST', body: JSON.stringify({ host, username, password }) });
  assert.equal(res.status, 201, await res.text());
}

describe('push credentials in the lease', () => {
  test('a trusted build gets the project’s credentials, project entries over global ones', async () => {
    const project = await seedProject(t.server.ctx);
    const host = `creds-${randomUUID().slice(0, 6)}.example`;
    await addRegistry('/api/registries', host, 'global-user', 'global-password');
    await addRegistry('/api/registries', `other-${host}`, 'other-user', 'other-password');
    await addRegistry(`/api/projects/${project.name}/registries`, host, 'project-user', 'project-password');
    const stranger = await seedProject(t.server.ctx);
    await addRegistry(
      `/api/projects/${stranger.name}/registries`,
      `foreign-${host}`,
      'x',
      'foreign-password',
    );
    await buildRun(project);
    const lease = await leaseNext();
    assert.ok(!JSON.stringify(lease).includes('foreign-password'), 'another project’s credentials stay out');
    const mine = lease.registries.filter((r) => r.host.endsWith(host));
    assert.deepEqual(
      mine.sort((a, b) => a.host.localeCompare(b.host)),
      [
        { host, username: 'project-user', password: 'project-password' },
        { host: `other-${host}`, username: 'other-user', password: 'other-password' },
      ],
    );
    await reportBuild(lease, image(['creds'], `sha256:${'c'.repeat(64)}`));
  });

  test('untrusted runs and runs without a build job get none', async () => {
    const project = await seedProject(t.server.ctx);
    await addRegistry(`/api/projects/${project.name}/registries`, 'untrusted.example', 'u', 'never-sent-1');
    await buildRun(project, { untrusted: true });
    const untrusted = await leaseNext();
    assert.deepEqual(untrusted.registries, []);
    assert.deepEqual(untrusted.secrets, {});
    await reportBuild(untrusted, image(['untrusted'], `sha256:${'d'.repeat(64)}`));
    await buildRun(project, { build: false });
    const scriptOnly = await leaseNext();
    assert.deepEqual(scriptOnly.registries, []);
    await agentCall(`/leases/${scriptOnly.leaseId}/finish`, {
      status: 'succeeded',
      startedAt: 1,
      finishedAt: 2,
      error: null,
    });
  });
});

describe('recording built images', () => {
  let project: ProjectRow;
  let first: Awaited<ReturnType<typeof buildRun>>;
  let second: Awaited<ReturnType<typeof buildRun>>;
  const events: ProjectEvent[] = [];
  const digest1 = `sha256:${'a'.repeat(64)}`;
  const digest2 = `sha256:${'b'.repeat(64)}`;

  before(async () => {
    project = await seedProject(t.server.ctx);
    t.server.ctx.events.subscribe(project.id, (e) => events.push(e));
    first = await buildRun(project);
    await reportBuild(await leaseNext(), image([first.record, 'latest'], digest1), 2);
    // A later run pushes `latest` again: history is kept, the newest row is current.
    second = await buildRun(project);
    await reportBuild(await leaseNext(), image([`${second.record}-2`, 'latest'], digest2));
  });

  test('one row per tag, once, and an image event per recording', async () => {
    const rows = await t.server.ctx.db
      .selectFrom('images')
      .selectAll()
      .where('project_id', '=', project.id)
      .execute();
    assert.equal(rows.length, 4, 'two tags per run, the retried update stored nothing');
    const imageEvents = events.filter((e) => e.type === 'image');
    assert.equal(imageEvents.length, 2);
    assert.deepEqual(
      {
        number: imageEvents[0]?.number,
        tags: (imageEvents[0]?.data as { tags: string[] } | undefined)?.tags,
      },
      { number: first.number, tags: [first.record, 'latest'] },
    );
    const runStatus = await t.server.ctx.db
      .selectFrom('runs')
      .select('status')
      .where('id', '=', first.runId)
      .executeTakeFirstOrThrow();
    assert.equal(runStatus.status, 'succeeded');
  });

  test('images follow runs through the delivery bus: job.finished, then image.pushed once, are stored', async () => {
    const stored = await t.server.ctx.db
      .selectFrom('delivery_events')
      .select(['type', 'payload'])
      .where('run_id', '=', first.runId)
      .orderBy('id')
      .execute();
    const types = stored.map((e) => e.type);
    assert.deepEqual(
      types.filter((type) => type !== 'run.created'),
      ['job.started', 'job.finished', 'image.pushed', 'job.finished', 'run.finished'],
      'the retried update emitted nothing; the unit job ends skipped with the run',
    );
    const pushed = JSON.parse(stored.find((e) => e.type === 'image.pushed')?.payload ?? '{}');
    assert.deepEqual(pushed.image.tags, [first.record, 'latest']);
  });

  test('the catalogue lists current tags newest first, with the run and commit that built them', async () => {
    const res = await t.api(`/api/projects/${project.name}/images`);
    assert.equal(res.status, 200);
    const { repositories } = (await res.json()) as ImagesJsonType;
    assert.equal(repositories.length, 1);
    const repo = repositories[0];
    assert.equal(repo?.repository, '127.0.0.1:5000/team/api');
    const tags = repo?.tags ?? [];
    assert.deepEqual(
      tags.map((tag) => [tag.tag, tag.digest, tag.run.number]),
      [
        ['latest', digest2, second.number],
        [`${second.record}-2`, digest2, second.number],
        [first.record, digest1, first.number],
      ],
    );
    const latest = tags[0];
    assert.deepEqual(
      {
        record: latest?.run.record,
        runId: latest?.run.id,
        sha: latest?.sha,
        ref: latest?.ref,
        size: latest?.size,
        pushed: latest?.pushed,
        job: latest?.job,
      },
      {
        record: second.record,
        runId: second.runId,
        sha: second.sha,
        ref: 'main',
        size: 5_242_880,
        pushed: true,
        job: 'image',
      },
    );
  });

  test('the history of a repository keeps the re-pushed tag', async () => {
    const q = new URLSearchParams({ repository: '127.0.0.1:5000/team/api' });
    const res = await t.api(`/api/projects/${project.name}/images/versions?${q}`);
    assert.equal(res.status, 200);
    const { versions } = (await res.json()) as ImageHistoryJsonType;
    assert.deepEqual(
      versions.filter((v) => v.tag === 'latest').map((v) => v.digest),
      [digest2, digest1],
    );
    const bad = await t.api(`/api/projects/${project.name}/images/versions?repository=`);
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: { where: string } }).error.where, 'query.repository');
  });

  test('viewers may browse; strangers and unknown projects get 401/404', async () => {
    const viewer = await createUserWithToken(t.server, `v-${randomUUID().slice(0, 6)}`, 'viewer');
    const asViewer = await t.api(`/api/projects/${project.name}/images`, {
      headers: { authorization: `Bearer ${viewer}` },
    });
    assert.equal(asViewer.status, 200);
    assert.equal((await fetch(`${t.url}/api/projects/${project.name}/images`)).status, 401);
    assert.equal((await t.api('/api/projects/no-such-project/images')).status, 404);
  });

  test('slipway images prints the table and the JSON', async () => {
    const env = { SLIPWAY_SERVER: t.url, SLIPWAY_TOKEN: t.adminToken };
    const result = await runCli(['images', project.name], { cwd: tmpdir(), env });
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trim().split('\n');
    assert.match(lines[0] ?? '', /^REPOSITORY\s+TAG\s+DIGEST\s+SIZE\s+AGE\s+RECORD$/);
    assert.match(
      lines[1] ?? '',
      new RegExp(
        `^127\\.0\\.0\\.1:5000/team/api\\s+latest\\s+sha256:bbbbbbbbbbbb\\s+5\\.0 MB\\s+.+#${second.number} ${second.record}$`,
      ),
    );
    assert.equal(lines.length, 4);
    const json = await runCli(['images', '--project', project.name, '--json'], { cwd: tmpdir(), env });
    assert.equal(json.code, 0, json.stderr);
    assert.equal((JSON.parse(json.stdout) as ImagesJsonType).repositories[0]?.tags.length, 3);
  });
});

describe('slipway registries', () => {
  const cli = (args: string[], stdin: string) =>
    runCli(args, {
      cwd: tmpdir(),
      env: { SLIPWAY_SERVER: t.url, SLIPWAY_TOKEN: t.adminToken },
      killAfterMs: 30_000,
      stdin,
    });
  const registryRows = (host: string) =>
    t.server.ctx.db.selectFrom('registries').select('password').where('host', '=', host).execute();

  test('add reads the password from stdin, list never shows it, remove by host', async () => {
    const project = await seedProject(t.server.ctx);
    const host = `cli-${randomUUID().slice(0, 6)}.example:5000`;
    const secret = 'piped-password-123';
    const added = await cli(
      ['registries', 'add', host, '--username', 'bot', '--password-stdin', '--project', project.name],
      `${secret}\n`,
    );
    assert.equal(added.code, 0, added.stderr);
    const [row] = await registryRows(host);
    assert.ok(row);
    assert.equal(t.server.ctx.secretBox.open(row.password), secret, 'the trailing newline is not part of it');
    const listed = await cli(['registries', 'list', '--project', project.name], '');
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`${host}\\s+bot\\s+project`));
    assert.ok(!listed.stdout.includes(secret));
    const onArgv = await cli(['registries', 'add', host, '--username', 'bot', '--password', secret], '');
    assert.equal(onArgv.code, 2);
    assert.match(onArgv.stderr, /never taken from the command line/);
    const removed = await cli(['registries', 'remove', host, '--project', project.name], '');
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal((await registryRows(host)).length, 0);
  });
});
