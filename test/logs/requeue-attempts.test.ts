/**
 * SLIPWAY_REQUEUE_LOST end to end: an agent dies in the middle of a job, its run goes back to
 * the queue, a second agent runs it again and numbers the job's lines from 1 again. Every line
 * of both attempts must be stored, streamed live, downloadable and in order; the run and the job
 * say it is their second attempt.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { runAgent } from '../../src/agent/agent.js';
import { HttpTransport } from '../../src/agent/http-transport.js';
import type { Backend, JobOutcome, JobOutput, JobSpec } from '../../src/backends/backend.js';
import type { LogLine } from '../../src/domain/log-line.js';
import type { AgentTransport } from '../../src/protocol/agent-transport.js';
import { LeaseGoneError } from '../../src/protocol/agent-transport.js';
import { seedProject, seedRun } from '../queue/queue-fixture.js';
import { SseReader } from '../runs/fixtures.js';
import { requeuedOnce } from '../support/run-state.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { until } from '../support/wait.js';

/** Each wait is one step of a single run (a lease lost, a re-queue): 20 s is ample. */
const POLL = { timeoutMs: 20_000 };

const FIRST = 300;
const SECOND = 500;
const ONE_JOB = `version: 1
image: busybox
stages:
  - name: build
    jobs:
      work: { script: [work] }
`;

/** Prints `count` lines `<prefix> <i>`; with `hang`, then waits for the job to be stopped. */
class PrintingBackend implements Backend {
  readonly name = 'printing';
  printed = 0;
  constructor(
    private readonly prefix: string,
    private readonly count: number,
    private readonly hang: boolean,
  ) {}
  async probe() {
    return { ok: true as const };
  }
  async setupRun() {}
  async runJob(_job: JobSpec, output: JobOutput, signal: AbortSignal): Promise<JobOutcome> {
    for (let i = 1; i <= this.count; i++) {
      output.write('stdout', Buffer.from(`${this.prefix} ${i}\n`));
      this.printed = i;
      if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    if (!this.hang) return { kind: 'exited', exitCode: 0 };
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    return { kind: 'aborted' };
  }
  async destroyRun() {}
  async pruneWorkspaces() {
    return [];
  }
}

/**
 * An agent's transport that can "die": from then on it asks for no work and every lease call
 * fails as if the server had forgotten the lease — no heartbeat, no report reaches the server,
 * exactly what the server sees of a killed agent process.
 */
function mortal(inner: AgentTransport): { transport: AgentTransport; die: () => void } {
  let dead = false;
  const alive = <T>(call: () => Promise<T>): Promise<T> =>
    dead ? Promise.reject(new LeaseGoneError('the agent died')) : call();
  const transport: AgentTransport = {
    lease: async (waitMs, signal) => {
      if (dead) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(waitMs, 100)));
        return null;
      }
      return inner.lease(waitMs, signal);
    },
    heartbeat: (id) => alive(() => inner.heartbeat(id)),
    jobUpdate: (id, update) => alive(() => inner.jobUpdate(id, update)),
    logs: (id, batch) => alive(() => inner.logs(id, batch)),
    source: (id) => alive(() => inner.source(id)),
    finish: (id, result) => alive(() => inner.finish(id, result)),
    reportEnvironments: async () => ({ remove: [] }),
  };
  return { transport, die: () => (dead = true) };
}

describe('a re-queued run (SLIPWAY_REQUEUE_LOST)', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ SLIPWAY_REQUEUE_LOST: 'true', SLIPWAY_LEASE_TIMEOUT: '1s' });
  });
  after(() => t.close());

  const agentToken = async () => {
    const res = await t.api('/api/agents', {
      method: 'POST',
      body: JSON.stringify({ name: `a-${randomUUID().slice(0, 8)}` }),
    });
    return ((await res.json()) as { token: string }).token;
  };

  test("keeps the second attempt's log: every line stored, streamed live and downloadable, in order", async () => {
    const project = await seedProject(t.server.ctx);
    const run = await seedRun(t.server.ctx, project, { pipeline: ONE_JOB });
    const { db } = t.server.ctx;
    const row = await db
      .selectFrom('runs')
      .select('number')
      .where('id', '=', run.runId)
      .executeTakeFirstOrThrow();
    const base = `/api/projects/${project.name}/runs/${row.number}`;
    const stored = () => t.server.ctx.logs.read(run.runId, 'work', 0, 10_000);

    // Attempt 1: prints, its lines reach the server, then the agent dies mid-job.
    const first = mortal(new HttpTransport({ server: t.url, token: await agentToken() }));
    const firstBackend = new PrintingBackend('first', FIRST, true);
    const stopFirst = new AbortController();
    const firstAgent = runAgent({
      transport: first.transport,
      backend: firstBackend,
      capacity: 1,
      signal: stopFirst.signal,
      log: () => {},
      leaseWaitMs: 200,
      logFlushMs: 20,
    });
    const stopSecond = new AbortController();
    let secondAgent: Promise<void> = Promise.resolve();
    try {
      await until('the first attempt stored its lines', async () => (await stored()).length >= FIRST, POLL);
      await until(
        'the server to know the job runs',
        async () => {
          const job = await db
            .selectFrom('jobs')
            .select('status')
            .where('run_id', '=', run.runId)
            .executeTakeFirstOrThrow();
          return job.status === 'running';
        },
        POLL,
      );
      first.die();
      await until('the run to be re-queued', () => requeuedOnce(db, run.runId), POLL);

      // A viewer follows the job live from the start, across both attempts.
      const live = new SseReader(await t.api(`${base}/jobs/work/logs/stream`));
      await live.until((events) => events.some((e) => e.id === String(FIRST)));

      // Attempt 2: another agent runs the job again and finishes it.
      secondAgent = runAgent({
        transport: new HttpTransport({ server: t.url, token: await agentToken() }),
        backend: new PrintingBackend('second', SECOND, false),
        capacity: 1,
        signal: stopSecond.signal,
        log: () => {},
        leaseWaitMs: 200,
        logFlushMs: 20,
      });
      await live.until(() => false, 20_000);
      await live.close();
      assert.equal(live.events.at(-1)?.event, 'end', 'the stream ends once the job has');

      const texts = (lines: LogLine[]) => lines.filter((l) => l.stream === 'stdout').map((l) => l.text);
      const expected = [
        ...Array.from({ length: FIRST }, (_, i) => `first ${i + 1}`),
        ...Array.from({ length: SECOND }, (_, i) => `second ${i + 1}`),
      ];
      const all = await stored();
      assert.deepEqual(texts(all), expected, 'both attempts, every line, in order');
      assert.deepEqual(
        all.map((l) => l.n),
        Array.from({ length: all.length }, (_, i) => i + 1),
        'one gap-free numbering across attempts',
      );
      assert.ok(
        all.some((l) => l.stream === 'system' && l.text.includes('attempt 2')),
        'a system line marks where attempt 2 starts',
      );

      const streamed = live.events
        .filter((e) => e.event === 'lines')
        .flatMap((e) => JSON.parse(e.data) as LogLine[]);
      assert.deepEqual(texts(streamed), expected, 'the live stream shows the second attempt too');

      const raw = await (await t.api(`${base}/jobs/work/logs/raw`)).text();
      const rawLines = raw.split('\n');
      for (const text of expected) assert.ok(rawLines.includes(text), `download has "${text}"`);

      const detail = (await (await t.api(base)).json()) as {
        status: string;
        attempt: number;
        jobs: { name: string; attempt: number; status: string }[];
      };
      assert.equal(detail.status, 'succeeded');
      assert.equal(detail.attempt, 2);
      assert.equal(detail.jobs.find((j) => j.name === 'work')?.attempt, 2);
    } finally {
      stopFirst.abort();
      stopSecond.abort();
      await Promise.all([firstAgent, secondAgent]);
    }
  });

  test('a job whose lines arrived before its running report still counts as started: attempt 2', async () => {
    const { ctx } = t.server;
    const name = `a-${randomUUID().slice(0, 8)}`;
    await t.api('/api/agents', { method: 'POST', body: JSON.stringify({ name }) });
    const agent = await ctx.db
      .selectFrom('agents')
      .select('id')
      .where('name', '=', name)
      .executeTakeFirstOrThrow();
    const project = await seedProject(ctx);
    const run = await seedRun(ctx, project, { pipeline: ONE_JOB });
    const lease = await ctx.queue.lease(agent.id, 0);
    assert.equal(lease?.runId, run.runId);
    // The reporter sends a job's waiting lines before its update: the agent died in between.
    await ctx.queue.logs(agent.id, lease.leaseId, {
      job: 'work',
      lines: [{ n: 1, t: 1, stream: 'stdout', text: 'first 1' }],
    });
    await ctx.db
      .updateTable('queue')
      .set({ heartbeat_at: 0 })
      .where('lease_id', '=', lease.leaseId)
      .execute();
    // Expired here, or by the server's own expiry pass if it came first.
    await ctx.queue.expireLeases(ctx.now());
    const execution = await ctx.db
      .selectFrom('queue')
      .select(['status', 'attempt'])
      .where('id', '=', run.executionId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(execution, { status: 'queued', attempt: 2 });
    const job = await ctx.db
      .selectFrom('jobs')
      .select(['status', 'attempt'])
      .where('run_id', '=', run.runId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(job, { status: 'pending', attempt: 2 });
  });
});
