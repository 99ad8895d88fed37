/**
 * The server's side of artifact uploads, over the real agent API: archives with a symlink, a
 * hard link or a `..` entry are refused (400, naming the entry) and nothing is stored; the job
 * cap and the project quota answer 413; a download never hands out a link. Flaky verdicts are
 * computed from a seeded history of test results.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { PROTOCOL_HEADER, PROTOCOL_VERSION } from '../../src/protocol/agent-protocol.js';
import { judgeFlaky } from '../../src/server/artifacts/flaky-tests.js';
import { storeTestReport } from '../../src/server/artifacts/test-report-store.js';
import { seedProject, seedRun } from '../queue/queue-fixture.js';
import { startTestServer, type TestServer } from '../support/server.js';

const PIPELINE = `version: 1
image: busybox
stages:
  - name: build
    jobs:
      build: { script: [make] }
`;

type Entry = {
  name: string;
  type?: 'file' | 'symlink' | 'link' | 'directory';
  body?: string;
  linkname?: string;
};

async function tarGz(entries: Entry[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve) => p.on('end', () => resolve()));
  for (const e of entries) {
    const isFile = !e.type || e.type === 'file';
    const body = isFile ? (e.body ?? '') : '';
    const header = {
      name: e.name,
      type: e.type ?? 'file',
      size: Buffer.byteLength(body),
      ...(e.linkname ? { linkname: e.linkname } : {}),
    };
    p.entry(header, body);
  }
  p.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

describe('artifact uploads on the server', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({
      SLIPWAY_ARTIFACT_MAX_JOB_BYTES: '4k',
      SLIPWAY_ARTIFACT_PROJECT_QUOTA_BYTES: '6k',
    });
  });
  after(() => t.close());

  /** A project, a run and a lease held by a new agent; `put` uploads to the run's `build` job. */
  async function leased() {
    const { ctx } = t.server;
    const project = await seedProject(ctx);
    await seedRun(ctx, project, { pipeline: PIPELINE });
    const res = await t.api('/api/agents', {
      method: 'POST',
      body: JSON.stringify({ name: `a-${randomUUID().slice(0, 8)}` }),
    });
    const token = ((await res.json()) as { token: string }).token;
    const headers = { authorization: `Bearer ${token}`, [PROTOCOL_HEADER]: String(PROTOCOL_VERSION) };
    const lease = (await (
      await fetch(`${t.url}/api/agent/lease`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ waitMs: 0 }),
      })
    ).json()) as { leaseId: string; runId: string };
    const put = (body: Buffer, job = 'build') =>
      fetch(`${t.url}/api/agent/leases/${lease.leaseId}/artifacts/${job}`, {
        method: 'PUT',
        headers: { ...headers, 'content-type': 'application/gzip' },
        body: new Uint8Array(body),
      });
    return { project, lease, put };
  }

  test('a symlink, a hard link or a path climbing out is refused, naming the entry; nothing is stored', async () => {
    const { project, lease, put } = await leased();
    for (const [entries, why] of [
      [
        [
          { name: 'ok.txt', body: 'x' },
          { name: 'evil', type: 'symlink', linkname: '/etc/passwd' },
        ],
        /"evil" is a symbolic link/,
      ],
      [[{ name: 'hard', type: 'link', linkname: 'ok.txt' }], /"hard" is a hard link/],
      [[{ name: '../../escape.txt', body: 'x' }], /climbs out/],
      [[{ name: '/etc/cron.d/x', body: 'x' }], /absolute path/],
    ] as [Entry[], RegExp][]) {
      const res = await put(await tarGz(entries));
      assert.equal(res.status, 400);
      const body = (await res.json()) as { error: { message: string } };
      assert.match(body.error.message, why);
    }
    const notTar = await put(Buffer.from('definitely not gzip'));
    assert.equal(notTar.status, 400);
    assert.equal((await t.server.ctx.artifacts.list(lease.runId)).length, 0);
    const dir = join(t.dataDir, 'artifacts', project.id, lease.runId);
    assert.deepEqual(existsSync(dir) ? readdirSync(dir) : [], [], 'no file (not even a partial one) is left');
  });

  test('the job cap and the project quota answer 413 with the setting to change', async () => {
    const { project, lease, put } = await leased();
    // Random bytes do not compress: the gzip is bigger than 4k.
    const big = await tarGz([{ name: 'big.bin', body: randomBytes(8000).toString('base64') }]);
    assert.ok(big.length > 4096);
    const refused = await put(big);
    assert.equal(refused.status, 413);
    assert.match(
      ((await refused.json()) as { error: { message: string } }).error.message,
      /SLIPWAY_ARTIFACT_MAX_JOB_BYTES/,
    );
    // One archive, measured once: two gzips of the same files can differ by a byte (mtime).
    const smallArchive = await tarGz([{ name: 'dist/a.txt', body: 'hello' }]);
    const small = await put(smallArchive);
    assert.equal(small.status, 200);
    assert.deepEqual(await small.json(), {
      size: smallArchive.length,
      files: 1,
    });
    const rows = await t.server.ctx.artifacts.list(lease.runId);
    assert.equal(rows.length, 1);

    // Quota: fill the project up to its 6k with uploads of other runs, then one more is refused.
    const { ctx } = t.server;
    const projectId = project.id;
    await ctx.db.updateTable('artifacts').set({ size: 6000 }).where('run_id', '=', lease.runId).execute();
    const other = await seedRun(ctx, project, { pipeline: PIPELINE });
    assert.ok(other.runId);
    const second = await put(await tarGz([{ name: 'b.txt', body: 'again' }]));
    // The job's own earlier upload is replaced, so it does not count against its new one.
    assert.equal(second.status, 200);
    await ctx.db
      .insertInto('artifacts')
      .values({
        id: randomUUID(),
        project_id: projectId,
        run_id: other.runId,
        job: 'build',
        name: 'build',
        path: 'x',
        size: 6144,
        files: 1,
        entries: '[]',
        created_at: 0,
        expires_at: null,
      })
      .execute();
    const third = await put(await tarGz([{ name: 'c.txt', body: 'more' }]));
    assert.equal(third.status, 413);
    assert.match(
      ((await third.json()) as { error: { message: string } }).error.message,
      /SLIPWAY_ARTIFACT_PROJECT_QUOTA_BYTES/,
    );
  });

  test('expired artifacts disappear for readers at once and are swept from disk', async () => {
    const { project, lease, put } = await leased();
    assert.equal((await put(await tarGz([{ name: 'a.txt', body: 'a' }]))).status, 200);
    const { ctx } = t.server;
    const row = (await ctx.artifacts.list(lease.runId))[0];
    assert.ok(row);
    await ctx.db
      .updateTable('artifacts')
      .set({ expires_at: ctx.now() - 1 })
      .where('id', '=', row.id)
      .execute();
    const number = (
      await ctx.db.selectFrom('runs').select('number').where('id', '=', lease.runId).executeTakeFirstOrThrow()
    ).number;
    const base = `/api/projects/${project.name}/runs/${number}`;
    assert.deepEqual(
      ((await (await t.api(`${base}/artifacts`)).json()) as { artifacts: unknown[] }).artifacts,
      [],
    );
    assert.equal((await t.api(`${base}/artifacts/build/archive`)).status, 404);
    assert.ok((await ctx.artifacts.sweep(ctx.now())) >= 1);
    assert.equal(existsSync(join(t.dataDir, row.path)), false);
  });
});

describe('flaky tests', () => {
  test('judged from history: same commit fail+pass, or repeated flips; a fix is not flaky', () => {
    const p = (runNumber: number, sha: string, status: 'passed' | 'failed') => ({ runNumber, sha, status });
    assert.equal(
      judgeFlaky([p(3, 'b', 'passed'), p(2, 'a', 'failed'), p(1, 'a', 'passed')]).why,
      'same_commit',
    );
    assert.equal(
      judgeFlaky([p(4, 'd', 'failed'), p(3, 'c', 'passed'), p(2, 'b', 'failed'), p(1, 'a', 'passed')]).why,
      'flips',
    );
    assert.equal(
      judgeFlaky([p(3, 'c', 'passed'), p(2, 'b', 'failed'), p(1, 'a', 'failed')]).flaky,
      false,
      'broken then fixed',
    );
  });

  test('a seeded history of a branch marks the flaky test, with its history, and not the stable one', async () => {
    const t = await startTestServer();
    try {
      const { ctx } = t.server;
      const project = await seedProject(ctx);
      const pipeline = `version: 1\nimage: busybox\nstages:\n  - name: test\n    jobs:\n      unit: { script: [test] }\n`;
      // Four runs on main: "sometimes" passes, fails, passes, fails; "always" passes every time.
      const numbers: number[] = [];
      for (const [i, verdict] of (['passed', 'failed', 'passed', 'failed'] as const).entries()) {
        const run = await seedRun(ctx, project, { pipeline });
        await ctx.db
          .updateTable('runs')
          .set({ sha: `${i}`.repeat(40) })
          .where('id', '=', run.runId)
          .execute();
        await storeTestReport(
          ctx.db,
          run.runId,
          {
            job: 'unit',
            coverage: null,
            problems: [],
            cases: [
              {
                suite: 's',
                classname: 'net',
                name: 'sometimes',
                status: verdict,
                durationMs: 5,
                message: verdict === 'failed' ? 'timeout' : null,
                output: null,
              },
              {
                suite: 's',
                classname: 'net',
                name: 'always',
                status: 'passed',
                durationMs: 1,
                message: null,
                output: null,
              },
            ],
          },
          ctx.now(),
        );
        numbers.push(
          (
            await ctx.db
              .selectFrom('runs')
              .select('number')
              .where('id', '=', run.runId)
              .executeTakeFirstOrThrow()
          ).number,
        );
      }
      const res = await t.api(`/api/projects/${project.name}/runs/${numbers.at(-1)}/tests`);
      const body = (await res.json()) as {
        cases: {
          name: string;
          status: string;
          flaky: boolean;
          flakyWhy: string | null;
          history: { runNumber: number; status: string }[];
        }[];
      };
      const sometimes = body.cases.find((c) => c.name === 'sometimes');
      assert.equal(body.cases[0]?.name, 'sometimes', 'failed first');
      assert.equal(sometimes?.flaky, true);
      assert.equal(sometimes?.flakyWhy, 'flips');
      assert.deepEqual(
        sometimes?.history.map((h) => h.status),
        ['failed', 'passed', 'failed', 'passed'],
        'its history, newest first',
      );
      assert.equal(body.cases.find((c) => c.name === 'always')?.flaky, false);
    } finally {
      await t.close();
    }
  });
});
