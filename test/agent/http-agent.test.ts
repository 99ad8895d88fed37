/**
 * The agent over HTTP against a real server (in this process, fake-ish backends): the whole
 * protocol path, the transport's error handling, and two measurements printed as diagnostics —
 * lease latency (work enqueued → agent has it) and log throughput (lines stored per second).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { runAgent } from '../../src/agent/agent.js';
import { HttpTransport } from '../../src/agent/http-transport.js';
import type { Backend, JobOutcome, JobOutput, JobSpec } from '../../src/backends/backend.js';
import { FakeBackend } from '../../src/backends/fake/fake-backend.js';
import { AgentRefusedError, LeaseGoneError } from '../../src/protocol/agent-transport.js';
import { seedProject, seedRun } from '../queue/queue-fixture.js';
import { spyRunState } from '../queue/spy-run-state.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { until } from '../support/wait.js';

/** A short poll: the lease latency measured below includes it. */
const POLL = { timeoutMs: 10_000, intervalMs: 5 };

let t: TestServer;
before(async () => {
  // Agent and server share this process's event loop here: a generous lease timeout keeps a
  // busy test machine from expiring the lease mid-flood (expiry has tests of its own).
  t = await startTestServer({ SLIPWAY_LEASE_TIMEOUT: '15s' });
});
after(async () => {
  await t.close();
});

async function agentToken(server: TestServer = t): Promise<string> {
  const res = await server.api('/api/agents', {
    method: 'POST',
    body: JSON.stringify({ name: `h-${randomUUID().slice(0, 8)}` }),
  });
  return ((await res.json()) as { token: string }).token;
}

/** Prints `count` numbered lines as fast as the runtime takes them, in 64 KiB chunks. */
class FloodBackend implements Backend {
  readonly name = 'flood';
  constructor(private readonly count: number) {}
  async probe() {
    return { ok: true as const };
  }
  async setupRun() {}
  async runJob(_job: JobSpec, output: JobOutput): Promise<JobOutcome> {
    let chunk = '';
    for (let i = 1; i <= this.count; i++) {
      chunk += `flood line ${i}\n`;
      if (chunk.length > 65_536) {
        output.write('stdout', Buffer.from(chunk));
        chunk = '';
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    output.write('stdout', Buffer.from(chunk));
    return { kind: 'exited', exitCode: 0 };
  }
  async destroyRun() {}
  async pruneWorkspaces() {
    return [];
  }
}

const ONE_JOB = `version: 1
image: busybox
stages:
  - name: build
    jobs:
      flood: { script: [flood] }
`;

describe('agent over HTTP', () => {
  test('leases a queued run within milliseconds and reports it to the end', async () => {
    const calls = spyRunState(t.server.ctx.runState);
    const stop = new AbortController();
    const agent = runAgent({
      transport: new HttpTransport({ server: t.url, token: await agentToken() }),
      backend: new FakeBackend(),
      capacity: 1,
      signal: stop.signal,
      log: () => {},
      leaseWaitMs: 5000,
    });
    try {
      const project = await seedProject(t.server.ctx, { secrets: { DEPLOY_TOKEN: 'deploy-token-value' } });
      const latencies: number[] = [];
      for (let i = 0; i < 10; i++) {
        await new Promise((resolve) => setTimeout(resolve, 30 + Math.random() * 100));
        const enqueued = performance.now();
        const run = await seedRun(t.server.ctx, project);
        await until(
          'leased',
          () => calls.some((c) => c.method === 'runStarted' && c.runId === run.runId),
          POLL,
        );
        latencies.push(performance.now() - enqueued);
        await until(
          'finished',
          () => calls.some((c) => c.method === 'runFinished' && c.runId === run.runId),
          POLL,
        );
        const row = await t.server.ctx.db
          .selectFrom('runs')
          .select('status')
          .where('id', '=', run.runId)
          .executeTakeFirstOrThrow();
        assert.equal(row.status, 'succeeded');
        const lines = await t.server.ctx.logs.read(run.runId, 'compile', 0, 100);
        assert.ok(lines.some((l) => l.text === 'compiled'));
      }
      latencies.sort((a, b) => a - b);
      const median = latencies[Math.floor(latencies.length / 2)] as number;
      console.log(
        `# lease latency (enqueue → runStarted, HTTP long poll): median ${median.toFixed(0)} ms, max ${latencies.at(-1)?.toFixed(0)} ms`,
      );
      // Behaviour, not speed (bench/ measures that): work is picked up during the long poll.
      assert.ok(median < 5000, `median lease latency ${median} ms`);
    } finally {
      stop.abort();
      await agent;
    }
  });

  test('ships a flood of log lines in batches, all stored, in order', async () => {
    // A server of its own: the previous test's stopped agent may still have a long poll open
    // on the shared one (its close not yet seen on a loaded machine), which would claim this
    // run for an agent that no longer listens and leave it to lease expiry.
    const own = await startTestServer({ SLIPWAY_LEASE_TIMEOUT: '15s' });
    const LINES = 100_000;
    const calls = spyRunState(own.server.ctx.runState);
    let batches = 0;
    const append = own.server.ctx.logs.append.bind(own.server.ctx.logs);
    own.server.ctx.logs.append = (runId, job, lines) => {
      batches++;
      return append(runId, job, lines);
    };
    const project = await seedProject(own.server.ctx);
    const run = await seedRun(own.server.ctx, project, { pipeline: ONE_JOB });
    const stop = new AbortController();
    const started = performance.now();
    const agent = runAgent({
      transport: new HttpTransport({ server: own.url, token: await agentToken(own) }),
      backend: new FloodBackend(LINES),
      capacity: 1,
      signal: stop.signal,
      log: () => {},
      leaseWaitMs: 2000,
    });
    try {
      // Whatever ends the run: a lost lease must fail the test with its reason, not a timeout.
      const ending = () =>
        calls.find((c) => c.runId === run.runId && ['runFinished', 'failUnfinished'].includes(c.method));
      await until('the run to end', () => Boolean(ending()), { ...POLL, timeoutMs: 60_000 });
      assert.equal(ending()?.method, 'runFinished', JSON.stringify(ending()));
      const seconds = (performance.now() - started) / 1000;
      const stored = await own.server.ctx.logs.read(run.runId, 'flood', 0, LINES + 100);
      const flood = stored.filter((l) => l.text.startsWith('flood line '));
      assert.equal(flood.length, LINES);
      assert.deepEqual(
        stored.map((l) => l.n),
        Array.from({ length: stored.length }, (_, i) => i + 1),
      );
      console.log(
        `# log throughput over HTTP into SQLite: ${LINES} lines in ${seconds.toFixed(2)} s = ${Math.round(LINES / seconds)} lines/s, ${batches} batches (${Math.round(stored.length / batches)} lines/batch)`,
      );
    } finally {
      own.server.ctx.logs.append = append;
      stop.abort();
      await agent;
      await own.close();
    }
  });
});

describe('HTTP transport', () => {
  let fake: Server;
  let url: string;
  const answers: number[] = [];
  let requests = 0;
  before(async () => {
    fake = createServer((req, res) => {
      requests++;
      const status = answers.shift() ?? 200;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(status === 200 ? '{"cancel":false}' : `{"error":{"code":"x","message":"status ${status}"}}`);
      req.resume();
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => fake.close(() => resolve())));

  test('retries 503 and network trouble, then succeeds', async () => {
    answers.push(503, 502);
    requests = 0;
    const transport = new HttpTransport({ server: url, token: 'sla_x' });
    assert.deepEqual(await transport.heartbeat('L'), { cancel: false });
    assert.equal(requests, 3);
  });

  test('gives up after its retry budget', async () => {
    answers.push(503, 503, 503, 503, 503, 503);
    const transport = new HttpTransport({ server: url, token: 'sla_x', retryForMs: 600 });
    await assert.rejects(
      transport.logs('L', { job: 'j', lines: [] }),
      /HTTP 503 \(gave up after \d attempts\)/,
    );
    answers.length = 0;
  });

  test('a 404 on a lease call means the lease is gone; 401 on lease means refused', async () => {
    const transport = new HttpTransport({ server: url, token: 'sla_x' });
    answers.push(404);
    await assert.rejects(transport.heartbeat('L'), LeaseGoneError);
    answers.push(401);
    await assert.rejects(transport.lease(0, new AbortController().signal), AgentRefusedError);
    answers.push(400);
    await assert.rejects(transport.lease(0, new AbortController().signal), /refused this agent: status 400/);
  });

  test('a server that is not there is retried, then reported', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const transport = new HttpTransport({
      server: `http://127.0.0.1:${port}`,
      token: 'sla_x',
      retryForMs: 300,
    });
    await assert.rejects(transport.heartbeat('L'), /ECONNREFUSED/);
  });
});
