/**
 * The QueueService contract: what every implementation must do, whatever stores the queue.
 * `queueContract` registers the tests; a `*.test.ts` file runs it against an implementation.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { JobResultMessage } from '../../src/protocol/agent-protocol.js';
import { AppError } from '../../src/server/errors.js';
import type { QueueService } from '../../src/server/services.js';
import { labelContract } from './label-contract.js';
import type { QueueFixture } from './queue-fixture.js';
import { revocationContract } from './revocation-contract.js';

/** What the contract needs from a harness; `env` is server configuration (SLIPWAY_*). */
export type QueueHarness = Omit<QueueFixture, 'db' | 'deps' | 'queue'> & { queue: QueueService };
export type MakeHarness = (env?: Record<string, string>) => Promise<QueueHarness>;

const TIMEOUT_MS = 3000;

const notFound = (error: unknown) => error instanceof AppError && error.code === 'not_found';

function jobUpdate(name: string, status: JobResultMessage['status']): JobResultMessage {
  return {
    name,
    stage: 'build',
    status,
    allowFailure: false,
    failure: null,
    skip: null,
    exitCode: status === 'succeeded' ? 0 : null,
    startedAt: 1,
    finishedAt: status === 'succeeded' ? 2 : null,
  };
}

export function queueContract(name: string, make: MakeHarness): void {
  describe(`QueueService contract: ${name}`, () => {
    const open: QueueHarness[] = [];
    const harness = async (env?: Record<string, string>) => {
      const h = await make(env);
      open.push(h);
      return h;
    };
    after(async () => {
      for (const h of open) await h.close();
    });

    test('leases the executions of one project first in, first out', async () => {
      const h = await harness();
      const project = await h.addProject();
      const runs = [await h.addRun(project), await h.addRun(project), await h.addRun(project)];
      const agent = await h.addAgent();
      const leased = [];
      for (let i = 0; i < 3; i++) leased.push((await h.queue.lease(agent, 0))?.runId);
      assert.deepEqual(
        leased,
        runs.map((r) => r.runId),
      );
      assert.equal(await h.queue.lease(agent, 0), null);
    });

    test('is fair across projects: the project with fewer leased executions goes first', async () => {
      const h = await harness();
      const busy = await h.addProject();
      const quiet = await h.addProject();
      const b1 = await h.addRun(busy);
      const b2 = await h.addRun(busy);
      const b3 = await h.addRun(busy);
      const q1 = await h.addRun(quiet);
      const agent = await h.addAgent();
      const order = [];
      for (let i = 0; i < 4; i++) order.push((await h.queue.lease(agent, 0))?.runId);
      // busy's backlog is older, but once it has one leased, quiet gets its turn.
      assert.deepEqual(order, [b1.runId, q1.runId, b2.runId, b3.runId]);
    });

    test("respects the project's concurrency limit", async () => {
      const h = await harness();
      const project = await h.addProject({ concurrencyLimit: 1 });
      const first = await h.addRun(project);
      const second = await h.addRun(project);
      const agent = await h.addAgent();
      const lease = await h.queue.lease(agent, 0);
      assert.equal(lease?.runId, first.runId);
      assert.equal(await h.queue.lease(agent, 0), null, 'a second lease would exceed the limit');
      await h.queue.finish(agent, lease.leaseId, {
        status: 'succeeded',
        startedAt: 1,
        finishedAt: 2,
        error: null,
      });
      assert.equal((await h.queue.lease(agent, 0))?.runId, second.runId);
    });

    test('never leases one row twice, even to agents asking at the same moment', async () => {
      const h = await harness();
      const project = await h.addProject({ concurrencyLimit: 50 });
      const runs = await Promise.all(Array.from({ length: 10 }, () => h.addRun(project)));
      const agents = await Promise.all(Array.from({ length: 5 }, () => h.addAgent()));
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => h.queue.lease(agents[i % agents.length] as string, 0)),
      );
      const leased = answers.filter((a) => a !== null);
      assert.equal(leased.length, 10);
      assert.deepEqual(new Set(leased.map((l) => l.runId)), new Set(runs.map((r) => r.runId)));
      assert.equal(new Set(leased.map((l) => l.leaseId)).size, 10);
      assert.equal(h.runState.of('runStarted').length, 10);
    });

    test('does not lease a second execution of a run while one is leased', async () => {
      const h = await harness();
      const project = await h.addProject();
      const run = await h.addRun(project);
      await h.addExecution(run.runId, project.id, { jobs: ['unit'] });
      const agent = await h.addAgent();
      const first = await h.queue.lease(agent, 0);
      assert.equal(first?.runId, run.runId);
      assert.equal(await h.queue.lease(agent, 0), null);
      await h.queue.finish(agent, first.leaseId, {
        status: 'succeeded',
        startedAt: 1,
        finishedAt: 2,
        error: null,
      });
      const second = await h.queue.lease(agent, 0);
      assert.deepEqual(second?.jobs, ['unit']);
    });

    test('describes the execution: plan, selection, only the secrets its jobs name, budgets', async () => {
      const h = await harness();
      const project = await h.addProject({
        secrets: { DEPLOY_TOKEN: 'the-deploy-token', UNRELATED: 'other-value' },
      });
      const run = await h.addRun(project, { jobs: ['compile', 'unit'], runManual: true });
      const agent = await h.addAgent();
      const lease = await h.queue.lease(agent, 0);
      assert.ok(lease);
      assert.equal(lease.runId, run.runId);
      assert.deepEqual(lease.plan, run.plan);
      assert.deepEqual(lease.jobs, ['compile', 'unit']);
      assert.equal(lease.runManual, true);
      assert.deepEqual(lease.secrets, { DEPLOY_TOKEN: 'the-deploy-token' });
      assert.equal(lease.heartbeatMs, Math.floor(TIMEOUT_MS / 3));
      assert.ok(lease.maxLogBytes >= 1024);
      // The server's job limits travel with the lease; the agent applies them (rule 11a).
      assert.ok(
        (lease.resourceLimits?.max.memoryBytes ?? 0) >= (lease.resourceLimits?.default.memoryBytes ?? 1),
      );
      assert.ok((lease.resourceLimits?.default.pids ?? 0) > 0);
      assert.equal(lease.workspaceId, run.runId);
      assert.deepEqual(h.runState.of('runStarted'), [{ method: 'runStarted', runId: run.runId }]);
    });

    test('hands no secrets to untrusted runs, nor for jobs outside the selection', async () => {
      const h = await harness();
      const project = await h.addProject({ secrets: { DEPLOY_TOKEN: 'the-deploy-token' } });
      await h.addRun(project, { untrusted: true });
      await h.addRun(project, { jobs: ['lint'] });
      const agent = await h.addAgent();
      assert.deepEqual((await h.queue.lease(agent, 0))?.secrets, {});
      assert.deepEqual((await h.queue.lease(agent, 0))?.secrets, {});
    });

    test('a resume continues in the workspace of the run it resumes, up the chain', async () => {
      const h = await harness();
      const project = await h.addProject();
      const original = await h.addRun(project);
      const resume = await h.addRun(project, {
        parentRunId: original.runId,
        reuseWorkspace: true,
        jobs: ['unit'],
      });
      const again = await h.addRun(project, {
        parentRunId: resume.runId,
        reuseWorkspace: true,
        jobs: ['unit'],
      });
      const fresh = await h.addRun(project, { parentRunId: original.runId });
      const agent = await h.addAgent();
      const byRun = new Map<string, { workspaceId: string; reuseWorkspace: boolean }>();
      for (let i = 0; i < 4; i++) {
        const lease = await h.queue.lease(agent, 0);
        assert.ok(lease);
        byRun.set(lease.runId, lease);
      }
      assert.equal(byRun.get(resume.runId)?.workspaceId, original.runId);
      assert.equal(byRun.get(resume.runId)?.reuseWorkspace, true);
      assert.equal(byRun.get(again.runId)?.workspaceId, original.runId);
      assert.equal(byRun.get(fresh.runId)?.workspaceId, fresh.runId);
    });

    test('forwards job updates and log lines of the selected jobs; ignores the others', async () => {
      const h = await harness();
      const project = await h.addProject();
      const run = await h.addRun(project, { jobs: ['unit'] });
      const agent = await h.addAgent();
      const lease = await h.queue.lease(agent, 0);
      assert.ok(lease);
      const line = { n: 1, t: 5, stream: 'stdout' as const, text: 'hello' };
      await h.queue.jobUpdate(agent, lease.leaseId, jobUpdate('compile', 'skipped'));
      await h.queue.jobUpdate(agent, lease.leaseId, jobUpdate('unit', 'running'));
      await h.queue.logs(agent, lease.leaseId, { job: 'unit', lines: [line] });
      await h.queue.logs(agent, lease.leaseId, { job: 'compile', lines: [line] });
      assert.deepEqual(
        h.runState.of('jobUpdate').map((c) => (c.method === 'jobUpdate' ? c.job.name : '')),
        ['unit'],
      );
      assert.deepEqual(h.logs.linesOf(run.runId, 'unit'), [line]);
      assert.deepEqual(h.logs.linesOf(run.runId, 'compile'), []);
    });

    test('finish ends the run and the lease', async () => {
      const h = await harness();
      const project = await h.addProject();
      const run = await h.addRun(project);
      const agent = await h.addAgent();
      const lease = await h.queue.lease(agent, 0);
      assert.ok(lease);
      const result = { status: 'failed' as const, startedAt: 1, finishedAt: 2, error: null };
      await h.queue.finish(agent, lease.leaseId, result);
      assert.deepEqual(h.runState.of('runFinished'), [{ method: 'runFinished', runId: run.runId, result }]);
      assert.equal((await h.execution(run.executionId)).status, 'done');
      await assert.rejects(h.queue.heartbeat(agent, lease.leaseId), notFound);
      await assert.rejects(h.queue.finish(agent, lease.leaseId, result), notFound);
    });

    test('a lease belongs to its agent: every call of another agent is not_found', async () => {
      const h = await harness();
      const project = await h.addProject();
      const run = await h.addRun(project);
      const owner = await h.addAgent();
      const intruder = await h.addAgent();
      const lease = await h.queue.lease(owner, 0);
      assert.ok(lease);
      const id = lease.leaseId;
      await assert.rejects(h.queue.heartbeat(intruder, id), notFound);
      await assert.rejects(h.queue.jobUpdate(intruder, id, jobUpdate('unit', 'running')), notFound);
      await assert.rejects(h.queue.logs(intruder, id, { job: 'unit', lines: [] }), notFound);
      await assert.rejects(h.queue.source(intruder, id), notFound);
      await assert.rejects(
        h.queue.finish(intruder, id, { status: 'succeeded', startedAt: 1, finishedAt: 2, error: null }),
        notFound,
      );
      await assert.rejects(h.queue.heartbeat(owner, 'no-such-lease'), notFound);
      assert.equal(h.runState.of('jobUpdate').length + h.runState.of('runFinished').length, 0);
      assert.equal((await h.execution(run.executionId)).status, 'leased');
      assert.deepEqual(await h.queue.heartbeat(owner, id), { cancel: false });
    });

    test('a requested cancel reaches the agent in every answer', async () => {
      const h = await harness();
      const project = await h.addProject();
      const run = await h.addRun(project);
      const agent = await h.addAgent();
      const lease = await h.queue.lease(agent, 0);
      assert.ok(lease);
      assert.deepEqual(await h.queue.heartbeat(agent, lease.leaseId), { cancel: false });
      await h.requestCancel(run.runId);
      assert.deepEqual(await h.queue.heartbeat(agent, lease.leaseId), { cancel: true });
      assert.deepEqual(await h.queue.jobUpdate(agent, lease.leaseId, jobUpdate('unit', 'canceled')), {
        cancel: true,
      });
      assert.deepEqual(await h.queue.logs(agent, lease.leaseId, { job: 'unit', lines: [] }), {
        cancel: true,
      });
    });

    test('a lease not heartbeated within the timeout is lost: the run fails with agent_lost', async () => {
      const h = await harness();
      const project = await h.addProject();
      const run = await h.addRun(project);
      const agent = await h.addAgent('builder-7');
      const lease = await h.queue.lease(agent, 0);
      assert.ok(lease);
      h.clock.now += TIMEOUT_MS - 1;
      await h.queue.heartbeat(agent, lease.leaseId);
      h.clock.now += TIMEOUT_MS - 1;
      assert.equal(await h.queue.expireLeases(h.clock.now), 0, 'heartbeats keep the lease');
      h.clock.now += 2;
      assert.equal(await h.queue.expireLeases(h.clock.now), 1);
      assert.deepEqual(h.runState.of('failUnfinished'), [
        {
          method: 'failUnfinished',
          runId: run.runId,
          reason: 'agent_lost',
          message: 'agent builder-7 stopped responding (no heartbeat for 3 s)',
        },
      ]);
      assert.equal((await h.execution(run.executionId)).status, 'done');
      await assert.rejects(h.queue.heartbeat(agent, lease.leaseId), notFound);
      assert.equal(await h.queue.expireLeases(h.clock.now + TIMEOUT_MS * 10), 0, 'expiry is idempotent');
    });

    test('a lost lease of a run being canceled ends the run canceled', async () => {
      const h = await harness();
      const project = await h.addProject();
      const run = await h.addRun(project);
      const agent = await h.addAgent();
      assert.ok(await h.queue.lease(agent, 0));
      await h.requestCancel(run.runId);
      h.clock.now += TIMEOUT_MS + 1;
      assert.equal(await h.queue.expireLeases(h.clock.now), 1);
      const [call] = h.runState.of('runFinished');
      assert.equal(call?.method === 'runFinished' && call.result.status, 'canceled');
      assert.equal(h.runState.of('failUnfinished').length, 0);
    });

    test('with SLIPWAY_REQUEUE_LOST a lost execution goes back to the queue, first in line', async () => {
      const h = await harness({ SLIPWAY_REQUEUE_LOST: 'true' });
      const project = await h.addProject();
      const run = await h.addRun(project);
      const later = await h.addRun(project);
      const first = await h.addAgent();
      const lease = await h.queue.lease(first, 0);
      assert.equal(lease?.runId, run.runId);
      h.clock.now += TIMEOUT_MS + 1;
      assert.equal(await h.queue.expireLeases(h.clock.now), 1);
      assert.deepEqual(h.runState.of('requeued'), [{ method: 'requeued', runId: run.runId }]);
      assert.equal((await h.execution(run.executionId)).status, 'queued');
      await assert.rejects(h.queue.heartbeat(first, lease.leaseId), notFound, 'the old lease is gone');
      const second = await h.addAgent();
      const again = await h.queue.lease(second, 0);
      assert.equal(again?.runId, run.runId, 'it keeps its place before later runs');
      assert.notEqual(again.leaseId, lease.leaseId);
      assert.equal((await h.queue.lease(second, 0))?.runId, later.runId);
    });

    test('a waiting lease call returns as soon as work arrives, and stops when aborted', async () => {
      const h = await harness();
      const project = await h.addProject();
      const agent = await h.addAgent();
      const waiting = h.queue.lease(agent, 5000);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const enqueuedAt = performance.now();
      const run = await h.addRun(project);
      const lease = await waiting;
      const latency = performance.now() - enqueuedAt;
      assert.equal(lease?.runId, run.runId);
      assert.ok(latency < 1000, `lease latency ${latency} ms`);

      const abort = new AbortController();
      const started = performance.now();
      const stopped = h.queue.lease(agent, 5000, abort.signal);
      setTimeout(() => abort.abort(), 30);
      assert.equal(await stopped, null);
      assert.ok(performance.now() - started < 1000);
    });

    test('an execution that cannot run (no plan) ends failed and the next one is leased', async () => {
      const h = await harness();
      const project = await h.addProject();
      const broken = await h.addRun(project, { noPlan: true });
      const good = await h.addRun(project);
      const agent = await h.addAgent();
      assert.equal((await h.queue.lease(agent, 0))?.runId, good.runId);
      const [call] = h.runState.of('runFinished');
      assert.equal(call?.runId, broken.runId);
      assert.equal((await h.execution(broken.executionId)).status, 'done');
    });

    revocationContract(harness);
    labelContract(harness);
  });
}
