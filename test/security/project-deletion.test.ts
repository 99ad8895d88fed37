/**
 * Deleting a project forgets it completely — rows and its built-in git repository on disk — so
 * a new project of the same name starts empty; only the audit log keeps what happened. The
 * repository is removed by a contained path and a symlink there is never followed out.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { writeAudit } from '../../src/server/deploys/audit-log.js';
import type { ProjectEvent } from '../../src/server/services.js';
import { seedProject, seedRun } from '../queue/queue-fixture.js';
import { git, workRepo } from '../support/git.js';
import { runRow } from '../support/rows.js';
import { createUserWithToken, startTestServer, type TestServer } from '../support/server.js';

const TIMEOUT = { timeout: 60_000 };

let t: TestServer;
let token: string;

before(async () => {
  t = await startTestServer();
  token = await createUserWithToken(t.server, 'pusher', 'maintainer');
});
after(() => t.close());

const remote = (project: string) =>
  `${t.url.replace('://', `://pusher:${encodeURIComponent(token)}@`)}/git/${project}.git`;

async function createProject(name: string): Promise<string> {
  const res = await t.api('/api/projects', {
    method: 'POST',
    body: JSON.stringify({
      visibility: 'internal',
      name,
      source: { kind: 'builtin' },
    }),
  });
  const body = await res.text();
  assert.equal(res.status, 201, body);
  return (JSON.parse(body) as { id: string }).id;
}

const repoDir = (id: string) => join(t.dataDir, 'repos', `${id}.git`);

/** Rows of `table` that still point at the project. */
async function rowsOf(
  table: 'runs' | 'secrets' | 'schedules' | 'deliveries' | 'registries' | 'images' | 'applications',
  projectId: string,
): Promise<number> {
  const rows = await t.server.ctx.db
    .selectFrom(table)
    .select('project_id')
    .where('project_id', '=', projectId)
    .execute();
  return rows.length;
}

describe('deleting a project', { concurrency: false }, () => {
  test('removes its repository and rows; the same name then starts empty', TIMEOUT, async () => {
    const id = await createProject('doomed');
    const work = await workRepo();
    try {
      await work.commit({ 'README.md': 'hello\n' }, 'first');
      await work.git('remote', 'add', 'origin', remote('doomed'));
      await work.git('push', '-q', 'origin', 'main');
      assert.ok(existsSync(join(repoDir(id), 'HEAD')));
      assert.match(await git(work.dir, ['ls-remote', 'origin']), /refs\/heads\/main/);

      // Something in every table that belongs to a project.
      const db = t.server.ctx.db;
      const now = t.server.ctx.now();
      const secret = await t.api('/api/projects/doomed/secrets/DEPLOY_KEY', {
        method: 'PUT',
        body: JSON.stringify({ value: 'a-secret-value-1' }),
      });
      assert.equal(secret.status, 200);
      const schedule = await t.api('/api/projects/doomed/schedules', {
        method: 'POST',
        body: JSON.stringify({ branch: 'main', cron: '0 3 * * *' }),
      });
      assert.equal(schedule.status, 201);
      const run = runRow({ project_id: id, number: 99 });
      await db.insertInto('runs').values(run).execute();
      await db
        .insertInto('deliveries')
        .values({
          id: 'github:d-1',
          project_id: id,
          received_at: now,
          run_id: null,
          event: null,
          started_at: null,
        })
        .execute();
      await db
        .insertInto('registries')
        .values({
          id: 'reg-1',
          project_id: id,
          scope: id,
          host: 'registry.example.com',
          username: 'u',
          password: t.server.ctx.secretBox.seal('pw'),
          created_at: now,
          created_by: 'pusher',
        })
        .execute();
      await db
        .insertInto('images')
        .values({
          id: 'img-1',
          project_id: id,
          repository: 'doomed/app',
          tag: 'latest',
          digest: null,
          image_id: 'sha256:1',
          size: null,
          registry: null,
          pushed: 0,
          run_id: run.id,
          job: 'build',
          sha: run.sha,
          ref: 'main',
          created_at: now,
        })
        .execute();
      await db
        .insertInto('applications')
        .values({ id: 'app-1', project_id: id, name: 'web', created_at: now })
        .execute();
      await writeAudit(db, now, {
        actor: 'pusher',
        action: 'release.deploy',
        projectId: id,
        target: 'web/production',
        detail: {},
      });

      assert.equal((await t.api('/api/projects/doomed', { method: 'DELETE' })).status, 204);

      assert.equal(existsSync(repoDir(id)), false, 'the repository directory is gone');
      for (const table of [
        'runs',
        'secrets',
        'schedules',
        'deliveries',
        'registries',
        'images',
        'applications',
      ] as const) {
        assert.equal(await rowsOf(table, id), 0, `${table} rows of the deleted project`);
      }
      const audit = await db
        .selectFrom('audit_log')
        .selectAll()
        .where('target', '=', 'web/production')
        .execute();
      assert.equal(audit.length, 1, 'the audit log keeps its row');
      assert.equal(audit[0]?.project_id, null);

      // A new project of the same name: a new, empty repository, no runs, secrets or schedules.
      const again = await createProject('doomed');
      assert.notEqual(again, id);
      assert.equal((await git(work.dir, ['ls-remote', 'origin'])).trim(), '');
      const runs = (await (await t.api('/api/projects/doomed/runs')).json()) as { runs: unknown[] };
      assert.deepEqual(runs.runs, []);
      assert.deepEqual(await (await t.api('/api/projects/doomed/secrets')).json(), []);
      assert.deepEqual(await (await t.api('/api/projects/doomed/schedules')).json(), []);
    } finally {
      await work.cleanup();
    }
  });

  test('a symlink where the repository should be is removed, not followed', TIMEOUT, async () => {
    const id = await createProject('linked');
    const outside = await mkdtemp(join(tmpdir(), 'slipway-outside-'));
    try {
      await writeFile(join(outside, 'keep.txt'), 'not yours\n');
      await rm(repoDir(id), { recursive: true, force: true });
      await symlink(outside, repoDir(id));

      assert.equal((await t.api('/api/projects/linked', { method: 'DELETE' })).status, 204);
      assert.equal(existsSync(repoDir(id)), false, 'the link is gone');
      assert.equal(await readFile(join(outside, 'keep.txt'), 'utf8'), 'not yours\n');
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  test('its active runs are canceled: a leased one loses its lease, a queued one ends', TIMEOUT, async () => {
    const ctx = t.server.ctx;
    const project = await seedProject(ctx);
    const leasedRun = await seedRun(ctx, project);
    const queuedRun = await seedRun(ctx, project);
    ctx.sources.archive = async () => Readable.from([Buffer.from('the tar bytes')]);
    // The stub is the whole source: no git checkout (`clone:`) is made from a repository.
    ctx.sources.checkout = undefined;
    const agent = (await (
      await t.api('/api/agents', {
        method: 'POST',
        body: JSON.stringify({ name: `del-${project.id.slice(0, 6)}` }),
      })
    ).json()) as { token: string };
    const agentCall = (path: string, body: unknown) =>
      fetch(`${t.url}/api/agent${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${agent.token}`,
          'x-slipway-protocol': '1',
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
      });
    const leaseRes = await agentCall('/lease', { waitMs: 2000 });
    assert.equal(leaseRes.status, 200);
    const lease = (await leaseRes.json()) as { leaseId: string; runId: string };
    assert.equal(lease.runId, leasedRun.runId);
    const heartbeat = () => agentCall(`/leases/${lease.leaseId}/heartbeat`, {});
    assert.deepEqual(await (await heartbeat()).json(), { cancel: false });

    const events: ProjectEvent[] = [];
    const unsubscribe = ctx.events.subscribe(project.id, (e) => events.push(e));
    try {
      assert.equal((await t.api(`/api/projects/${project.name}`, { method: 'DELETE' })).status, 204);
    } finally {
      unsubscribe();
    }

    // The lease went with the project: the agent's next call is refused, and an agent treats a
    // lost lease as cancel (http-transport.ts), stopping its containers.
    const after = await heartbeat();
    assert.equal(after.status, 404);
    assert.equal((await agentCall(`/leases/${lease.leaseId}/logs`, { job: 'unit', lines: [] })).status, 404);
    // Nothing of the project is left to lease.
    assert.equal((await agentCall('/lease', { waitMs: 0 })).status, 204);
    // The run no agent held was canceled through the run service before the rows went.
    const ended = events.filter((e) => e.type === 'run' && e.runId === queuedRun.runId);
    assert.equal((ended.at(-1)?.data as { status?: string } | undefined)?.status, 'canceled');
    assert.equal(await rowsOf('runs', project.id), 0);
  });
});
