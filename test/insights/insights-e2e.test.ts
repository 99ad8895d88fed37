/**
 * Insights end to end on a real server: real `git push` over smart HTTP starts real runs, the
 * agent's side is played through the server's queue service (the calls a real agent makes; the
 * Docker loop has its own tests), releases and a rollback go through the API, and the numbers
 * come back from the insights API, the CLI and /metrics.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { InsightsChangesJson, InsightsSummaryJson } from '../../src/api/insights.js';
import { main } from '../../src/cli/main.js';
import type { BuiltImageMessage, JobResultMessage } from '../../src/protocol/agent-protocol.js';
import { createAgent } from '../../src/server/queue/agent-registry.js';
import { type WorkRepo, workRepo } from '../support/git.js';
import { startTestServer, type TestServer } from '../support/server.js';

const TIMEOUT = { timeout: 120_000 };
const PIPELINE =
  'version: 1\nimage: busybox\nstages:\n  - name: test\n    jobs:\n      unit:\n        script: [echo ok]\n';
let t: TestServer;
let agentId: string;
let work: WorkRepo;

function image(n: number): BuiltImageMessage {
  return {
    repository: 'reg.local/ins/api',
    tags: [`v${n}`],
    digest: `sha256:${String(n).repeat(64).slice(0, 64)}`,
    imageId: `sha256:${'9'.repeat(64)}`,
    size: 1,
    pushed: true,
    registry: 'reg.local',
  };
}

async function json<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await t.api(path, init);
  const text = await res.text();
  assert.ok(res.ok, `${init.method ?? 'GET'} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

/** Plays the agent for the next queued execution: every job ends as `outcome` says. */
async function agentRuns(outcome: 'succeeded' | 'rolled_back', built?: BuiltImageMessage): Promise<void> {
  const { queue } = t.server.ctx;
  const lease = await queue.lease(agentId, 10_000);
  assert.ok(lease, 'an execution was queued');
  const plan = lease.plan as { stages: { name: string; jobs: { name: string }[] }[] };
  for (const stage of plan.stages) {
    for (const job of stage.jobs) {
      const deployment = lease.deployments?.[job.name];
      const base: JobResultMessage = {
        name: job.name,
        stage: stage.name,
        status: 'running',
        allowFailure: false,
        failure: null,
        skip: null,
        exitCode: null,
        startedAt: Date.now(),
        finishedAt: null,
      };
      await queue.jobUpdate(agentId, lease.leaseId, base);
      const ok = outcome === 'succeeded';
      const release =
        deployment && !('refused' in deployment)
          ? {
              release: {
                id: deployment.releaseId,
                status: outcome,
                ...(ok ? {} : { reason: 'container api-1 is unhealthy' }),
                ...(deployment.image ? { image: deployment.image } : {}),
              },
            }
          : {};
      await queue.jobUpdate(agentId, lease.leaseId, {
        ...base,
        status: ok ? 'succeeded' : 'failed',
        failure: ok ? null : { reason: 'backend_error', message: 'health check failed' },
        finishedAt: Date.now(),
        ...(built ? { image: built } : {}),
        ...release,
      });
    }
  }
  await queue.finish(agentId, lease.leaseId, {
    status: outcome === 'succeeded' ? 'succeeded' : 'failed',
    startedAt: Date.now(),
    finishedAt: Date.now(),
    error: null,
  });
}

/** Pushes a commit, plays its run; the commit's sha and its run's number (release runs take numbers too). */
async function pushAndRun(file: string, n: number): Promise<{ sha: string; run: number }> {
  const sha = await work.commit({ [file]: file }, `change ${file}`);
  await work.git('push', '-q', 'origin', 'main');
  await agentRuns('succeeded', image(n));
  const run = await t.server.ctx.db
    .selectFrom('runs')
    .select('number')
    .where('sha', '=', sha)
    .where('trigger', '=', 'push')
    .executeTakeFirstOrThrow();
  return { sha, run: run.number };
}

async function deploy(body: object, outcome: 'succeeded' | 'rolled_back'): Promise<void> {
  const verb = 'rollback' in body ? 'rollback' : 'deploy';
  const payload = 'rollback' in body ? { release: (body as { rollback: number }).rollback } : body;
  await json(`/api/projects/ins/applications/api/environments/production/${verb}`, {
    method: 'POST',
    body: JSON.stringify(payload),
  });
  await agentRuns(outcome);
}

/** Waits (bounded) until the summary satisfies `ready`: the insights subscriber runs after the commit. */
async function summaryWhen(ready: (s: InsightsSummaryJson) => boolean): Promise<InsightsSummaryJson> {
  let last: InsightsSummaryJson | null = null;
  for (let i = 0; i < 200; i++) {
    last = await json<InsightsSummaryJson>('/api/insights/summary?project=ins&since=1d');
    if (ready(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`insights never settled: ${JSON.stringify(last)}`);
}

before(async () => {
  t = await startTestServer();
  agentId = (await createAgent(t.server.ctx.db, { name: 'ins-agent', embedded: false, now: Date.now() }))
    .agent.id;
  await json('/api/projects', {
    method: 'POST',
    body: JSON.stringify({ name: 'ins', source: { kind: 'builtin' } }),
  });
  await json('/api/projects/ins/applications', {
    method: 'POST',
    body: JSON.stringify({ name: 'api', environments: [{ name: 'staging' }, { name: 'production' }] }),
  });
  work = await workRepo();
  await work.commit({ '.slipway.yml': PIPELINE }, 'pipeline');
  const admin = await t.server.ctx.db.selectFrom('users').select('username').executeTakeFirstOrThrow();
  await work.git(
    'remote',
    'add',
    'origin',
    `${t.url.replace('://', `://${admin.username}:${encodeURIComponent(t.adminToken)}@`)}/git/ins.git`,
  );
});
after(async () => {
  await work?.cleanup();
  await t?.close();
});

test(
  'pushes, runs, releases and a rollback give the DORA numbers on the API, the CLI and /metrics',
  TIMEOUT,
  async () => {
    const first = await pushAndRun('a.txt', 1); // the pipeline commit and a.txt
    await deploy({ runNumber: first.run }, 'succeeded'); // release #1
    const second = await pushAndRun('b.txt', 2);
    await deploy({ runNumber: second.run }, 'succeeded'); // release #2, rolled back by hand:
    await deploy({ rollback: 1 }, 'succeeded'); // release #3
    const third = await pushAndRun('c.txt', 3);
    await deploy({ runNumber: third.run }, 'rolled_back'); // release #4: the health gate rolled it back

    const s = await summaryWhen(
      (x) => x.changeFailureRate.changeDeployments === 3 && x.leadTime.changes === 3,
    );
    assert.deepEqual(s.scope.environments, [{ project: 'ins', application: 'api', name: 'production' }]);
    assert.equal(s.deploymentFrequency.deployments, 3);
    assert.deepEqual(
      [s.changeFailureRate.failures, s.changeFailureRate.rate, s.changeFailureRate.band],
      [2, 0.6667, 'low'],
    );
    assert.deepEqual([s.recoveryTime.recovered, s.recoveryTime.open], [1, 1]);
    assert.deepEqual(s.reworkRate, { deployments: 4, unplanned: 1, rate: 0.25 });
    assert.ok((s.leadTime.medianMs ?? -1) >= 0 && (s.leadTime.fromPushMedianMs ?? -1) >= 0);

    // Drill-down: the commits behind the lead time, the releases behind the failure rate.
    const changes = await json<InsightsChangesJson>(
      '/api/insights/changes?project=ins&since=1d&metric=lead_time',
    );
    const shipped = new Map(changes.changes.map((c) => [c.sha, c.releaseNumber]));
    assert.equal(shipped.get(first.sha), 1);
    assert.equal(shipped.get(second.sha), 2);
    assert.equal(shipped.size, 3, 'the pipeline commit, a.txt and b.txt; c.txt never reached production');
    for (const c of changes.changes) assert.equal(c.pushedAt !== null, true, `${c.sha} has a push time`);
    const failures = await json<InsightsChangesJson>(
      '/api/insights/changes?project=ins&since=1d&metric=failures',
    );
    assert.deepEqual(
      failures.releases.map((r) => [r.number, r.failure?.kind, r.failure?.evidenceRelease]),
      [
        [4, 'auto_rollback', 4],
        [2, 'rolled_back_by_hand', 3],
      ],
    );

    // The CLI prints the same numbers; a bad --since is a usage error.
    let out = '';
    const io = {
      stdout: (x: string) => {
        out += x;
      },
      stderr: () => {},
      cwd: process.cwd(),
      env: { SLIPWAY_SERVER: t.url, SLIPWAY_TOKEN: t.adminToken, HOME: '/nonexistent' },
      color: false,
    } as unknown as Parameters<typeof main>[1];
    assert.equal(await main(['insights', '--project', 'ins', '--since', '1d', '--json'], io), 0);
    assert.equal((JSON.parse(out) as InsightsSummaryJson).changeFailureRate.failures, 2);
    out = '';
    assert.equal(await main(['insights', '--project', 'ins', '--since', '1d'], io), 0);
    assert.match(out, /change failure rate\s+66\.7% \(2 of 3\)\s+\[low\]/);
    assert.equal(await main(['insights', '--project', 'ins', '--since', 'a week'], io), 2);

    // Prometheus gauges.
    const metrics = await (await t.api('/metrics')).text();
    assert.match(metrics, /slipway_insights_change_failure_ratio\{project="ins"\} 0\.6667/);
    assert.match(metrics, /slipway_insights_deployments_30d\{project="ins"\} 3/);

    // Documented in the OpenAPI document.
    const doc = await json<{ paths: Record<string, unknown> }>('/api/openapi.json');
    for (const path of ['/api/insights/summary', '/api/insights/changes', '/api/insights/weekly'])
      assert.ok(path in doc.paths, `${path} documented`);
    const weekly = await json<{ week: number; current: { deploymentFrequency: object } }>(
      '/api/insights/weekly?project=ins',
    );
    assert.ok(weekly.week < Date.now() && weekly.current.deploymentFrequency);

    // The production flag: named production by default; another environment can be flagged.
    const app = await json<{ environments: { name: string; production: boolean }[] }>(
      '/api/projects/ins/applications/api',
    );
    assert.deepEqual(
      app.environments.map((e) => [e.name, e.production]),
      [
        ['staging', false],
        ['production', true],
      ],
    );

    // Bad input is a 4xx naming the field; an unknown project a 404.
    assert.equal((await t.api('/api/insights/summary?since=soon')).status, 400);
    assert.equal((await t.api('/api/insights/summary?project=nope')).status, 404);
  },
);
