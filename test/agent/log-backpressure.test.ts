/**
 * The agent's outbound log buffer is bounded: when the server does not take log batches (slow,
 * or not answering at all), the agent stops reading the job's output instead of holding it all
 * in memory — and once the server answers again, every line arrives, in order.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { runAgent } from '../../src/agent/agent.js';
import { HttpTransport } from '../../src/agent/http-transport.js';
import type { Backend, JobOutcome, JobOutput, JobSpec } from '../../src/backends/backend.js';
import type { AgentTransport } from '../../src/protocol/agent-transport.js';
import { seedProject, seedRun } from '../queue/queue-fixture.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { until } from '../support/wait.js';

const MiB = 1024 * 1024;
/** The reporter's default bound (LeaseReporter.maxBufferedBytes). */
const BOUND = 4 * MiB;
const LINE = `${'x'.repeat(99)}\n`;
const CHUNK_LINES = 640; // 64 KB per write, like an engine's read
const TOTAL_LINES = CHUNK_LINES * 470; // 30 MB, several times the bound

/** Prints as fast as the agent takes it, honouring backpressure the way the Docker backend does. */
class FloodBackend implements Backend {
  readonly name = 'flood';
  written = 0;
  paused = false;
  async probe() {
    return { ok: true as const };
  }
  async setupRun() {}
  async runJob(_job: JobSpec, output: JobOutput): Promise<JobOutcome> {
    const chunk = Buffer.from(LINE.repeat(CHUNK_LINES));
    for (let sent = 0; sent < TOTAL_LINES; sent += CHUNK_LINES) {
      output.write('stdout', chunk);
      this.written += chunk.length;
      const wait = output.ready?.();
      if (wait) {
        this.paused = true;
        await wait;
        this.paused = false;
      } else await new Promise((resolve) => setImmediate(resolve));
    }
    return { kind: 'exited', exitCode: 0 };
  }
  async destroyRun() {}
  async pruneWorkspaces() {
    return [];
  }
}

/** Log batches wait at a gate until it opens: a server that does not acknowledge them. */
function gated(inner: AgentTransport) {
  let open: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  let held = 0;
  const transport: AgentTransport = {
    lease: (waitMs, signal) => inner.lease(waitMs, signal),
    heartbeat: (id) => inner.heartbeat(id),
    jobUpdate: (id, update) => inner.jobUpdate(id, update),
    logs: async (id, batch) => {
      held++;
      await gate;
      return inner.logs(id, batch);
    },
    source: (id) => inner.source(id),
    finish: (id, result) => inner.finish(id, result),
    reportEnvironments: async () => ({ remove: [] }),
  };
  return { transport, open, held: () => held };
}

let t: TestServer;
before(async () => {
  t = await startTestServer({ SLIPWAY_LEASE_TIMEOUT: '30s', SLIPWAY_LOG_MAX_BYTES: String(64 * MiB) });
});
after(() => t.close());

test('a server that does not take log batches pauses the job instead of growing the agent’s buffer', async () => {
  const res = await t.api('/api/agents', {
    method: 'POST',
    body: JSON.stringify({ name: `bp-${randomUUID().slice(0, 8)}` }),
  });
  const { token } = (await res.json()) as { token: string };
  const project = await seedProject(t.server.ctx);
  const run = await seedRun(t.server.ctx, project, {
    pipeline:
      'version: 1\nimage: busybox\nstages:\n  - name: s\n    jobs:\n      flood: { script: [flood] }\n',
  });
  const backend = new FloodBackend();
  const gate = gated(new HttpTransport({ server: t.url, token }));
  const stop = new AbortController();
  const agent = runAgent({
    transport: gate.transport,
    backend,
    capacity: 1,
    signal: stop.signal,
    log: () => {},
    leaseWaitMs: 200,
  });
  try {
    await until('the producer to be paused', () => backend.paused);
    const writtenWhenPaused = backend.written;
    // Nothing was acknowledged, so everything written is still in the agent: at most the bound,
    // one batch on its way and the chunk that crossed the bound.
    assert.ok(
      writtenWhenPaused <= BOUND + MiB,
      `${writtenWhenPaused} bytes read from the job while the server took none`,
    );
    assert.equal(gate.held(), 1, 'one batch in flight at a time');
    // It stays paused while the server does not answer.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(backend.paused, true);
    assert.equal(backend.written, writtenWhenPaused);

    gate.open();
    await until(
      'the run to end',
      async () =>
        (
          await t.server.ctx.db
            .selectFrom('runs')
            .select('status')
            .where('id', '=', run.runId)
            .executeTakeFirst()
        )?.status === 'succeeded',
    );
    const stored = await t.server.ctx.logs.read(run.runId, 'flood', 0, TOTAL_LINES + 100);
    assert.equal(stored.filter((l) => l.stream === 'stdout').length, TOTAL_LINES);
    assert.deepEqual(
      stored.map((l) => l.n),
      Array.from({ length: stored.length }, (_, i) => i + 1),
    );
  } finally {
    gate.open();
    stop.abort();
    await agent;
  }
});
