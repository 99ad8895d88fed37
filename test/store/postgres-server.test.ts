/**
 * The whole server on PostgreSQL: a throwaway cluster, a fresh database, the real server with
 * SLIPWAY_DATABASE_URL, and the main API paths driven over HTTP — projects, git push, runs on
 * the records page (keyset), the agent protocol with logs, secrets, webhook dedup, registries
 * and images, applications and releases — plus migrations re-run as a no-op.
 */
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { GitSourceService } from '../../src/server/git/source-service.js';
import { BackupRefused, backupDatabase, restoreDatabase } from '../../src/server/store/backup.js';
import { migrateToLatest } from '../../src/server/store/migrate.js';
import { openDatabase } from '../../src/server/store/open-database.js';
import { git, insertProject, silentLogger, workRepo } from '../support/git.js';
import { type PostgresCluster, startPostgres } from '../support/postgres.js';
import { createUserWithToken, startTestServer, type TestServer } from '../support/server.js';

const PIPELINE = `version: 1
image: busybox
stages:
  - name: build
    jobs:
      compile: { script: [echo compiled] }
`;
const WAIT_MS = 20_000;

interface RunPage {
  runs: { number: number; ref: { name: string }; status: string }[];
  next: number | null;
}

/** Polls `check` until it returns a value (bounded: fails after WAIT_MS). */
async function eventually<T>(what: string, check: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = await check();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the server on PostgreSQL', { concurrency: false }, () => {
  let cluster: PostgresCluster;
  let databaseUrl: string;
  let t: TestServer;
  let maintainer: string;

  const json = async <T>(res: Response | Promise<Response>, status = 200): Promise<T> => {
    const r = await res;
    const text = await r.text();
    assert.equal(r.status, status, text);
    return (text ? JSON.parse(text) : null) as T;
  };
  const send = (method: string, path: string, body?: unknown) =>
    t.api(path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const agentCall = (token: string, path: string, body: unknown) =>
    fetch(`${t.url}/api/agent${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'x-slipway-protocol': '1',
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });

  before(async () => {
    cluster = await startPostgres();
    databaseUrl = await cluster.createDatabase('server');
    t = await startTestServer({ SLIPWAY_DATABASE_URL: databaseUrl });
    maintainer = await createUserWithToken(t.server, 'mia', 'maintainer');
  });
  after(async () => {
    await t?.close();
    await cluster?.stop();
  });

  test('migrations ran on PostgreSQL, and running them again is a no-op', async () => {
    const db = openDatabase(databaseUrl);
    try {
      assert.deepEqual(await migrateToLatest(db as never), []);
      const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM kysely_migration`.execute(db);
      assert.equal(typeof rows[0]?.n, 'number', 'count(*) comes back as a number');
      // At least the migrations up to 007 (others may follow; the exact list is migrate.ts's).
      assert.ok((rows[0]?.n ?? 0) >= 7);
      const columns = await sql<{ data_type: string }>`
        SELECT data_type FROM information_schema.columns
        WHERE table_name = 'runs' AND column_name = 'created_at'`.execute(db);
      assert.equal(columns.rows[0]?.data_type, 'bigint', 'Unix-ms times need bigint');
    } finally {
      await db.destroy();
    }
    const fresh = openDatabase(await cluster.createDatabase('migrate'));
    try {
      // As many as the server's database recorded (the full list in migrate.ts).
      assert.ok((await migrateToLatest(fresh as never)).length >= 7);
      assert.deepEqual(await migrateToLatest(fresh as never), []);
    } finally {
      await fresh.destroy();
    }
  });

  test('a git push starts runs, listed newest first on the records page with keyset paging', async () => {
    await json(
      send('POST', '/api/projects', { name: 'app', source: { kind: 'builtin' }, visibility: 'internal' }),
      201,
    );
    const work = await workRepo();
    try {
      await work.commit({ '.slipway.yml': PIPELINE }, 'first commit');
      const remote = `${t.url.replace('://', `://mia:${encodeURIComponent(maintainer)}@`)}/git/app.git`;
      await work.git('remote', 'add', 'origin', remote);
      await work.git('push', '-q', 'origin', 'main');
      for (const branch of ['feature/a', 'feature/b']) {
        await work.git('checkout', '-q', '-b', branch);
        await work.commit({ [`${branch}.txt`]: branch }, `work on ${branch}`);
        await work.git('push', '-q', 'origin', branch);
      }
    } finally {
      await work.cleanup();
    }
    const all = await eventually('three runs', async () => {
      const page = await json<RunPage>(t.api('/api/projects/app/runs'));
      return page.runs.length === 3 ? page : null;
    });
    assert.deepEqual(
      all.runs.map((r) => [r.number, r.ref.name]),
      [
        [3, 'feature/b'],
        [2, 'feature/a'],
        [1, 'main'],
      ],
    );
    const first = await json<RunPage>(t.api('/api/projects/app/runs?limit=2'));
    assert.deepEqual(
      first.runs.map((r) => r.number),
      [3, 2],
    );
    const second = await json<RunPage>(t.api(`/api/projects/app/runs?limit=2&before=${first.next}`));
    assert.deepEqual(
      second.runs.map((r) => r.number),
      [1],
    );
    assert.equal(second.next, null);
    const filtered = await json<RunPage>(t.api('/api/projects/app/runs?branch=feature%2Fa'));
    assert.deepEqual(
      filtered.runs.map((r) => r.number),
      [2],
    );
  });

  test('run numbers count up per project, also when runs are created at once', async () => {
    const created = await Promise.all(
      Array.from({ length: 12 }, () =>
        json<{ number: number }>(send('POST', '/api/projects/app/runs', {}), 201),
      ),
    );
    assert.deepEqual(
      created.map((r) => r.number).sort((a, b) => a - b),
      Array.from({ length: 12 }, (_, i) => i + 4),
    );
  });

  test('an agent leases the run over HTTP, appends log lines, finishes; the log reads back', async () => {
    // Leave one queued run: cancel the others.
    const queued = await json<RunPage>(t.api('/api/projects/app/runs?status=queued'));
    const [keep, ...rest] = queued.runs;
    assert.ok(keep, 'a queued run');
    for (const r of rest) await send('POST', `/api/projects/app/runs/${r.number}/cancel`, {});
    const agent = await json<{ token: string }>(send('POST', '/api/agents', { name: 'pg-agent' }), 201);
    const leased = await agentCall(agent.token, '/lease', { waitMs: 2000 });
    const lease = await json<{ leaseId: string; runId: string }>(leased);
    const path = `/leases/${lease.leaseId}`;
    const job = {
      name: 'compile',
      stage: 'build',
      allowFailure: false,
      failure: null,
      skip: null,
      exitCode: null,
      startedAt: Date.now(),
      finishedAt: null,
    };
    await json(agentCall(agent.token, `${path}/jobs`, { ...job, status: 'running' }));
    for (let batch = 0; batch < 3; batch++) {
      const lines = Array.from({ length: 100 }, (_, i) => ({
        n: batch * 100 + i + 1,
        t: Date.now(),
        stream: 'stdout',
        text: `line ${batch * 100 + i + 1} ünïcødé`,
      }));
      assert.deepEqual(await json(agentCall(agent.token, `${path}/logs`, { job: 'compile', lines })), {
        cancel: false,
      });
    }
    // A retried batch (network error on the agent's side) is stored once.
    await json(
      agentCall(agent.token, `${path}/logs`, {
        job: 'compile',
        lines: [{ n: 1, t: Date.now(), stream: 'stdout', text: 'line 1 ünïcødé' }],
      }),
    );
    await json(
      agentCall(agent.token, `${path}/jobs`, {
        ...job,
        status: 'succeeded',
        exitCode: 0,
        finishedAt: Date.now(),
      }),
    );
    await json(
      agentCall(agent.token, `${path}/finish`, {
        status: 'succeeded',
        startedAt: job.startedAt,
        finishedAt: Date.now(),
        error: null,
      }),
      204,
    );
    const run = await json<{ number: number; status: string }>(
      t.api(`/api/projects/app/runs/${keep.number}`),
    );
    assert.equal(run.status, 'succeeded');
    const raw = await (await t.api(`/api/projects/app/runs/${keep.number}/jobs/compile/logs/raw`)).text();
    const lines = raw.trimEnd().split('\n');
    assert.equal(lines.length, 300);
    assert.match(lines[0] ?? '', /line 1 ünïcødé/);
    assert.match(lines[299] ?? '', /line 300 ünïcødé/);
  });

  test('secrets: stored sealed, listed without values, replaced, deleted', async () => {
    await json(send('PUT', '/api/projects/app/secrets/DEPLOY_TOKEN', { value: 'hunter2-long-value' }));
    await json(send('PUT', '/api/projects/app/secrets/DEPLOY_TOKEN', { value: 'hunter3-long-value' }));
    const listed = await (await t.api('/api/projects/app/secrets')).text();
    assert.match(listed, /DEPLOY_TOKEN/);
    assert.doesNotMatch(listed, /hunter/);
    const row = await t.server.ctx.db.selectFrom('secrets').select('value').executeTakeFirstOrThrow();
    assert.equal(t.server.ctx.secretBox.open(row.value), 'hunter3-long-value');
    assert.equal((await send('DELETE', '/api/projects/app/secrets/DEPLOY_TOKEN')).status, 204);
    assert.equal((await send('DELETE', '/api/projects/app/secrets/DEPLOY_TOKEN')).status, 404);
  });

  test('a webhook delivered twice at once starts one run', async () => {
    const bare = await mkdtemp(join(tmpdir(), 'slipway-pg-upstream-'));
    try {
      await git(bare, ['init', '-q', '--bare', '--initial-branch=main']);
      const work = await workRepo();
      const sha = await work.commit({ '.slipway.yml': PIPELINE }, 'upstream commit');
      await work.git('push', '-q', bare, 'main');
      await work.cleanup();
      t.server.ctx.sources = new GitSourceService({
        dataDir: t.dataDir,
        log: silentLogger(),
        outboundAllowlist: ['file://'],
      });
      const secret = 'hook-secret';
      await insertProject(t.server, {
        name: 'hooked',
        kind: 'remote',
        remoteUrl: `file://${bare}`,
        forge: 'github',
        webhookSecret: secret,
      });
      const body = JSON.stringify({
        ref: 'refs/heads/main',
        before: '0'.repeat(40),
        after: sha,
        deleted: false,
        head_commit: { id: sha, message: 'm', timestamp: '2024-01-01T00:00:00Z', author: { name: 'P' } },
        repository: { id: 1, full_name: 'org/repo', clone_url: `file://${bare}` },
        sender: { login: 'octocat', id: 42 },
      });
      const headers = {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': randomUUID(),
        'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
      };
      const post = () => fetch(`${t.url}/api/hooks/hooked/github`, { method: 'POST', headers, body });
      const answers = await Promise.all([post(), post(), post()]);
      assert.deepEqual(answers.map((a) => a.status).sort(), [200, 200, 202]);
      const page = await eventually('the webhook run', async () => {
        const p = await json<RunPage>(t.api('/api/projects/hooked/runs'));
        return p.runs.length > 0 ? p : null;
      });
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(
        (await json<RunPage>(t.api('/api/projects/hooked/runs'))).runs.length,
        1,
        page.runs.join(),
      );
    } finally {
      await rm(bare, { recursive: true, force: true });
    }
  });

  test('registries: unique per scope and host, password never returned; the image catalogue answers', async () => {
    const body = { host: 'registry.example:5000', username: 'ci', password: 's3cret' };
    const created = await json<{ id: string }>(send('POST', '/api/registries', body), 201);
    // Posting the same scope and host again replaces the credentials (an upsert on the unique key).
    const again = await json<{ id: string }>(
      send('POST', '/api/registries', { ...body, password: 'n3w' }),
      201,
    );
    assert.equal(again.id, created.id);
    const rows = await t.server.ctx.db.selectFrom('registries').select('password').execute();
    assert.equal(rows.length, 1);
    assert.equal(t.server.ctx.secretBox.open(rows[0]?.password ?? ''), 'n3w');
    const listed = await (await t.api('/api/registries')).text();
    assert.match(listed, /registry\.example:5000/);
    assert.doesNotMatch(listed, /s3cret|n3w/);
    await json(send('POST', '/api/projects/app/registries', body), 201);
    assert.equal((await send('DELETE', `/api/registries/${created.id}`)).status, 204);
    const images = await t.api('/api/projects/app/images');
    assert.equal(images.status, 200, await images.clone().text());
  });

  test('applications and releases: numbered per application, listed, audited', async () => {
    const app = {
      name: 'api',
      environments: [
        { name: 'staging', config: { repository: 'reg.local/app/api', replicas: 2 } },
        { name: 'production', config: { replicas: 3 }, requiresApproval: true },
      ],
    };
    await json(send('POST', '/api/projects/app/applications', app), 201);
    assert.equal((await send('POST', '/api/projects/app/applications', app)).status, 409);
    const base = '/api/projects/app/applications/api';
    const deploys = await Promise.all(
      [1, 2, 3].map(() =>
        json<{ number: number }>(
          send('POST', `${base}/environments/staging/deploy`, { imageDigest: `sha256:${'a'.repeat(64)}` }),
          201,
        ),
      ),
    );
    assert.deepEqual(deploys.map((d) => d.number).sort(), [1, 2, 3]);
    const { releases } = await json<{ releases: { number: number }[] }>(t.api(`${base}/releases`));
    assert.deepEqual(
      releases.map((r) => r.number),
      [3, 2, 1],
    );
    const audit = await (await t.api('/api/projects/app/audit')).text();
    assert.match(audit, /application\.create/);
  });

  test('slipway backup/restore refuse a PostgreSQL database and point to pg_dump', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slipway-pg-backup-'));
    try {
      for (const attempt of [
        () => backupDatabase(databaseUrl, join(dir, 'b.db')),
        () => restoreDatabase(databaseUrl, join(dir, 'b.db'), dir),
      ])
        await assert.rejects(
          attempt,
          (e: unknown) => e instanceof BackupRefused && /pg_dump/.test(e.message),
        );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
