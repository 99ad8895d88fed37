/**
 * The agent loop in-process: runAgent over the LocalTransport against a real DbQueueService
 * (recording RunState), with the fake backend for speed and the local backend where files
 * matter (source archive, kept workspaces, resume).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, test } from 'node:test';
import { pack } from 'tar-fs';
import { runAgent } from '../../src/agent/agent.js';
import type { Backend } from '../../src/backends/backend.js';
import { FakeBackend } from '../../src/backends/fake/fake-backend.js';
import { LocalBackend } from '../../src/backends/local/local-backend.js';
import type { AgentTransport } from '../../src/protocol/agent-transport.js';
import { LocalTransport } from '../../src/server/queue/local-transport.js';
import { type QueueFixture, queueFixture } from '../queue/queue-fixture.js';
import { until } from '../support/wait.js';

/** In-process agent and queue: things happen within milliseconds, so a short bound. */
const POLL = { timeoutMs: 5000, intervalMs: 10 };

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function fixture(env: Record<string, string> = {}): Promise<QueueFixture> {
  const f = await queueFixture({ SLIPWAY_LEASE_TIMEOUT: '600ms', ...env });
  cleanups.push(() => f.close());
  return f;
}

function startAgent(f: QueueFixture, backend: Backend, capacity = 1, wrap = (t: AgentTransport) => t) {
  const stop = new AbortController();
  const log: string[] = [];
  const agentId = f.addAgent('loop-agent');
  const done = agentId.then((id) =>
    runAgent({
      transport: wrap(new LocalTransport(f.queue, id)),
      backend,
      capacity,
      signal: stop.signal,
      log: (m) => log.push(m),
      leaseWaitMs: 200,
      logFlushMs: 10,
    }),
  );
  const stopAgent = async () => {
    stop.abort();
    await done;
  };
  cleanups.push(stopAgent);
  return { stop: stopAgent, log, done };
}

const finished = (f: QueueFixture, runId: string) =>
  f.runState.calls.find((c) => c.method === 'runFinished' && c.runId === runId);

const SLEEPY = `version: 1
image: busybox
stages:
  - name: build
    jobs:
      slow: { script: [echo started, sleep 30] }
`;

test('runs queued executions up to its capacity and reports them completely', async () => {
  const f = await fixture();
  const project = await f.addProject({ secrets: { DEPLOY_TOKEN: 'deploy-token-value' } });
  const runs = [await f.addRun(project), await f.addRun(project), await f.addRun(project)];
  let active = 0;
  let most = 0;
  const counting = (t: AgentTransport): AgentTransport => ({
    ...t,
    lease: async (w, s) => {
      const lease = await t.lease(w, s);
      if (lease) most = Math.max(most, ++active);
      return lease;
    },
    heartbeat: (l) => t.heartbeat(l),
    jobUpdate: (l, u) => t.jobUpdate(l, u),
    logs: (l, b) => t.logs(l, b),
    source: (l) => t.source(l),
    finish: async (l, r) => {
      active--;
      return t.finish(l, r);
    },
  });
  const agent = startAgent(f, new FakeBackend(), 2, counting);
  await until('all runs finished', () => runs.every((r) => finished(f, r.runId)), POLL);
  await agent.stop();
  assert.equal(most, 2, 'two at once, never more');
  for (const run of runs) {
    const end = finished(f, run.runId);
    assert.equal(end?.method === 'runFinished' && end.result.status, 'succeeded');
    assert.deepEqual(
      f.logs
        .linesOf(run.runId, 'compile')
        .map((l) => l.text)
        .filter((t) => !t.startsWith('$')),
      ['compiled'],
    );
    const updates = f.runState.calls.filter((c) => c.method === 'jobUpdate' && c.runId === run.runId);
    const unit = updates.map((c) =>
      c.method === 'jobUpdate' && c.job.name === 'unit' ? c.job.status : null,
    );
    assert.deepEqual(
      unit.filter((s) => s !== null),
      ['pending', 'running', 'succeeded'],
    );
  }
});

test('a cancel requested on the server stops the run, which ends canceled', async () => {
  const f = await fixture();
  const project = await f.addProject();
  const run = await f.addRun(project, { pipeline: SLEEPY });
  startAgent(f, new FakeBackend());
  await until(
    'the job runs',
    () => f.logs.linesOf(run.runId, 'slow').some((l) => l.text === 'started'),
    POLL,
  );
  await f.requestCancel(run.runId);
  await until('the run ends', () => Boolean(finished(f, run.runId)), POLL);
  const end = finished(f, run.runId);
  assert.equal(end?.method === 'runFinished' && end.result.status, 'canceled');
});

test('when the server has given the lease up, the agent stops the run and reports nothing more', async () => {
  const f = await fixture();
  const project = await f.addProject();
  const run = await f.addRun(project, { pipeline: SLEEPY });
  const backend = new FakeBackend();
  const agent = startAgent(f, backend);
  await until(
    'the job runs',
    () => f.logs.linesOf(run.runId, 'slow').some((l) => l.text === 'started'),
    POLL,
  );
  f.clock.now += 10_000;
  assert.equal(await f.queue.expireLeases(f.clock.now), 1);
  await until('the run is stopped locally', () => backend.destroyed.includes(run.runId), POLL);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(finished(f, run.runId), undefined, 'no finish for a lease that is gone');
  assert.ok(agent.log.some((l) => l.includes('no longer recognises lease')));
});

test('stopping the agent cancels its runs and reports them before it returns', async () => {
  const f = await fixture();
  const project = await f.addProject();
  const run = await f.addRun(project, { pipeline: SLEEPY });
  const agent = startAgent(f, new FakeBackend());
  await until(
    'the job runs',
    () => f.logs.linesOf(run.runId, 'slow').some((l) => l.text === 'started'),
    POLL,
  );
  await agent.stop();
  const end = finished(f, run.runId);
  assert.equal(end?.method === 'runFinished' && end.result.status, 'canceled');
  assert.equal((await f.execution(run.executionId)).status, 'done');
});

test('the source archive is unpacked into the workspace; a failed run keeps it for resume', async () => {
  const f = await fixture();
  const root = await mkdtemp(join(tmpdir(), 'slipway-agent-local-'));
  cleanups.push(() => rm(root, { recursive: true, force: true }));
  const source = join(root, 'source');
  await mkdir(join(source, 'docs'), { recursive: true });
  await writeFile(join(source, 'docs', 'hello.txt'), 'hello from the repository\n');
  f.archive.make = async () => pack(source) as unknown as Readable;
  const baseDir = join(root, 'runs');
  const backend = new LocalBackend({ baseDir });

  const pipeline = (script: string) => `version: 1
image: busybox
stages:
  - name: build
    jobs:
      build: { script: [${script}] }
`;
  const project = await f.addProject();
  const failing = await f.addRun(project, {
    pipeline: pipeline('cat docs/hello.txt, echo built > artifact.txt, exit 3'),
  });
  startAgent(f, backend);
  await until('the first run ends', () => Boolean(finished(f, failing.runId)), POLL);
  assert.ok(f.logs.linesOf(failing.runId, 'build').some((l) => l.text === 'hello from the repository'));
  assert.ok(existsSync(join(baseDir, failing.runId, 'workspace', 'artifact.txt')), 'kept after failing');

  // Resume: a new run whose first execution reuses the parent's workspace.
  const resume = await f.addRun(project, {
    pipeline: pipeline('cat artifact.txt'),
    parentRunId: failing.runId,
    reuseWorkspace: true,
  });
  await until('the resume ends', () => Boolean(finished(f, resume.runId)), POLL);
  const end = finished(f, resume.runId);
  assert.equal(end?.method === 'runFinished' && end.result.status, 'succeeded');
  assert.ok(
    f.logs.linesOf(resume.runId, 'build').some((l) => l.text === 'built'),
    'found the earlier files',
  );
  await until('workspaces dropped after success', async () => (await readdir(baseDir)).length === 0, POLL);
});
