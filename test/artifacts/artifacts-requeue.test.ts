/**
 * Artifacts across two agents: the first agent runs `build` (uploading dist/ and a JUnit
 * report), then dies in the middle of `check`. The run is re-queued (SLIPWAY_REQUEUE_LOST) and
 * a second agent, with a workspace of its own on another directory, runs only `check` — which
 * finds dist/ because the lease told it to restore `build`'s artifacts first. Real server,
 * real HTTP agents, real processes (local backend), real tar.gz on disk.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { runAgent } from '../../src/agent/agent.js';
import { HttpTransport } from '../../src/agent/http-transport.js';
import { LocalBackend } from '../../src/backends/local/local-backend.js';
import { artifactsCommand } from '../../src/cli/client/artifacts-command.js';
import { type AgentTransport, LeaseGoneError } from '../../src/protocol/agent-transport.js';
import { seedProject, seedRun } from '../queue/queue-fixture.js';
import { endedRun, requeuedOnce } from '../support/run-state.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { until } from '../support/wait.js';

/** Real agents run real jobs here: a gentler poll than the default. */
const POLL = { intervalMs: 25 };

const PIPELINE = `version: 1
image: busybox
stages:
  - name: build
    jobs:
      build:
        script:
          - mkdir -p dist reports
          - echo built-by-first-agent > dist/app.txt
          - ln -s /etc/passwd dist/passwd-link
          - printf '<testsuite name="unit"><testcase classname="calc" name="adds" time="0.5"/><testcase classname="calc" name="divides" time="0.25"><failure message="expected 2, got 3">at calc.js:7</failure></testcase></testsuite>' > reports/junit.xml
          - echo "Lines  87.5% covered"
        artifacts: { paths: [dist/], expire_in: 1 week }
        reports: { junit: reports/*.xml, coverage: { regex: 'Lines +([0-9.]+)%' } }
  - name: test
    jobs:
      check:
        script:
          - cat dist/app.txt
          - if [ -f first-agent-was-here ]; then sleep 600; fi
`;

/** An empty source tar: the test is about artifacts, the seeded project has no repository. */
function emptyTar(): Readable {
  const p = pack();
  p.finalize();
  return p as unknown as Readable;
}

/** An HTTP agent transport that can die (no call reaches the server any more), like a killed agent. */
function agentTransport(inner: HttpTransport, onUpdate: (job: string, status: string) => void) {
  let dead = false;
  const alive = <T>(call: () => Promise<T>): Promise<T> =>
    dead ? Promise.reject(new LeaseGoneError('the agent died')) : call();
  const transport: AgentTransport = {
    lease: async (waitMs, signal) => {
      if (!dead) return inner.lease(waitMs, signal);
      // A dead agent asks for nothing; waiting keeps its loop from spinning.
      await new Promise((resolve) => setTimeout(resolve, Math.min(waitMs, 100)));
      return null;
    },
    heartbeat: (id) => alive(() => inner.heartbeat(id)),
    jobUpdate: (id, update) =>
      alive(async () => {
        const answer = await inner.jobUpdate(id, update);
        onUpdate(update.name, update.status);
        return answer;
      }),
    logs: (id, batch) => alive(() => inner.logs(id, batch)),
    source: () => Promise.resolve(emptyTar()),
    finish: (id, result) => alive(() => inner.finish(id, result)),
    uploadArtifacts: (id, job, archive, meta) => alive(() => inner.uploadArtifacts(id, job, archive, meta)),
    downloadArtifacts: (id, source) => alive(() => inner.downloadArtifacts(id, source)),
    reportTests: (id, report) => alive(() => inner.reportTests(id, report)),
  };
  return { transport, die: () => (dead = true) };
}

describe('artifacts across two agents', () => {
  let t: TestServer;
  const dirs: string[] = [];
  before(async () => {
    t = await startTestServer({ SLIPWAY_REQUEUE_LOST: 'true', SLIPWAY_LEASE_TIMEOUT: '1s' });
  });
  after(async () => {
    await t.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  const agentToken = async () => {
    const res = await t.api('/api/agents', {
      method: 'POST',
      body: JSON.stringify({ name: `a-${randomUUID().slice(0, 8)}` }),
    });
    return ((await res.json()) as { token: string }).token;
  };
  const backendDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-artifacts-agent-'));
    dirs.push(dir);
    return dir;
  };

  test("a run re-queued to another agent after agent loss gets the earlier job's artifacts", async () => {
    const { ctx } = t.server;
    const project = await seedProject(ctx);
    const run = await seedRun(ctx, project, { pipeline: PIPELINE });
    const number = (
      await ctx.db.selectFrom('runs').select('number').where('id', '=', run.runId).executeTakeFirstOrThrow()
    ).number;
    const base = `/api/projects/${project.name}/runs/${number}`;

    // Agent 1: its `check` hangs (a marker file only its workspace has); it dies once `check` runs.
    let checkRunning = false;
    const first = agentTransport(
      new HttpTransport({ server: t.url, token: await agentToken() }),
      (job, status) => {
        if (job === 'check' && status === 'running') checkRunning = true;
      },
    );
    const firstBackend = new LocalBackend({ baseDir: backendDir() });
    const markFirst = firstBackend.setupRun.bind(firstBackend);
    firstBackend.setupRun = async (setup) => {
      await markFirst(setup);
      await firstBackend.writeWorkspace(setup.runId, markerTar());
    };
    const stopFirst = new AbortController();
    const stopSecond = new AbortController();
    const agents: Promise<void>[] = [];
    try {
      agents.push(
        runAgent({
          transport: first.transport,
          backend: firstBackend,
          capacity: 1,
          signal: stopFirst.signal,
          log: () => {},
          leaseWaitMs: 200,
          logFlushMs: 20,
        }),
      );
      await until('check to run on the first agent', () => checkRunning, POLL);
      first.die();
      await until('the run to be re-queued', () => requeuedOnce(ctx.db, run.runId), POLL);

      // Agent 2: another workspace directory, nothing of agent 1's files.
      const second = agentTransport(
        new HttpTransport({ server: t.url, token: await agentToken() }),
        () => {},
      );
      agents.push(
        runAgent({
          transport: second.transport,
          backend: new LocalBackend({ baseDir: backendDir() }),
          capacity: 1,
          signal: stopSecond.signal,
          log: () => {},
          leaseWaitMs: 200,
          logFlushMs: 20,
        }),
      );
      await until('the run to end', () => endedRun(ctx.db, run.runId), POLL);

      const detail = (await (await t.api(base)).json()) as {
        status: string;
        jobs: { name: string; status: string; attempt: number }[];
      };
      assert.equal(detail.status, 'succeeded', JSON.stringify(detail.jobs));
      assert.equal(
        detail.jobs.find((j) => j.name === 'build')?.attempt,
        1,
        'build ran once, on the first agent',
      );
      assert.equal(detail.jobs.find((j) => j.name === 'check')?.attempt, 2);
      const checkLog = await (await t.api(`${base}/jobs/check/logs/raw`)).text();
      assert.match(checkLog, /built-by-first-agent/, 'check read the restored artifact');

      const buildLog = await (await t.api(`${base}/jobs/build/logs/raw`)).text();
      assert.match(buildLog, /artifacts: skipped: archive entry "dist\/passwd-link" is a symbolic link/);
      assert.match(buildLog, /artifacts: uploaded 1 file/);

      // Listed, downloadable as the archive and as a single file.
      const listed = (await (await t.api(`${base}/artifacts`)).json()) as {
        artifacts: { job: string; files: number; expiresAt: number | null; entries: { path: string }[] }[];
      };
      assert.deepEqual(
        listed.artifacts.map((a) => [a.job, a.entries.map((e) => e.path)]),
        [['build', ['dist/app.txt']]],
      );
      const expiresAt = listed.artifacts[0]?.expiresAt ?? 0;
      assert.ok(expiresAt > Date.now() + 6 * 86_400_000, 'expire_in: 1 week');
      const archive = await t.api(`${base}/artifacts/build/archive`);
      assert.equal(archive.status, 200);
      assert.match(
        archive.headers.get('content-disposition') ?? '',
        /attachment; filename="build-.*\.tar\.gz"/,
      );
      const tarText = gunzipSync(Buffer.from(await archive.arrayBuffer())).toString('latin1');
      assert.match(tarText, /dist\/app\.txt/);
      const file = await t.api(`${base}/artifacts/build/file?path=dist/app.txt`);
      assert.equal(await file.text(), 'built-by-first-agent\n');
      assert.equal(file.headers.get('x-content-type-options'), 'nosniff');
      assert.equal((await t.api(`${base}/artifacts/build/file?path=dist/nope.txt`)).status, 404);

      // The CLI: `slipway artifacts RUN -o DIR` unpacks them at their workspace paths.
      const out = backendDir();
      const printed: string[] = [];
      const code = await artifactsCommand([String(number), '--project', project.name, '-o', out], {
        stdout: (text) => printed.push(text),
        stderr: (text) => printed.push(text),
        cwd: out,
        env: { SLIPWAY_SERVER: t.url, SLIPWAY_TOKEN: t.adminToken },
        color: false,
      });
      assert.equal(code, 0, printed.join(''));
      assert.equal(readFileSync(join(out, 'dist', 'app.txt'), 'utf8'), 'built-by-first-agent\n');

      // The JUnit report: failed first, with its message and output; coverage from the log.
      const tests = (await (await t.api(`${base}/tests`)).json()) as {
        summary: { total: number; failed: number; passed: number; coverage: number | null };
        cases: {
          name: string;
          status: string;
          message: string | null;
          output: string | null;
          durationMs: number;
        }[];
      };
      assert.deepEqual(
        {
          total: tests.summary.total,
          failed: tests.summary.failed,
          passed: tests.summary.passed,
          coverage: tests.summary.coverage,
        },
        { total: 2, failed: 1, passed: 1, coverage: 87.5 },
      );
      assert.deepEqual(
        tests.cases.map((c) => [c.name, c.status, c.message, c.durationMs]),
        [
          ['divides', 'failed', 'expected 2, got 3', 250],
          ['adds', 'passed', null, 500],
        ],
      );
      assert.match(tests.cases[0]?.output ?? '', /at calc\.js:7/);
      // The seeded run is on main, the project's default branch: the coverage badge shows it.
      const badge = await (await t.api(`/badge/coverage/${project.name}.svg`)).text();
      assert.match(badge, /coverage: 87\.5%/);
    } finally {
      stopFirst.abort();
      stopSecond.abort();
      await Promise.all(agents);
    }
  });
});

/** The marker that makes the first agent's `check` hang. */
function markerTar(): Readable {
  const p = pack();
  p.entry({ name: 'first-agent-was-here', size: 0 }, '');
  p.finalize();
  return p as unknown as Readable;
}
