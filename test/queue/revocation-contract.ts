/**
 * Part of the QueueService contract (queue-contract.ts): a revoked agent gets no work. A poll
 * opened before the revoke answers unauthorized instead of claiming, whether the revoke was made
 * through this service (its polls are ended) or by another server sharing the database (the
 * claim itself finds no agent).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../../src/server/errors.js';
import type { QueueHarness } from './queue-contract.js';

const unauthorized = (error: unknown) => error instanceof AppError && error.code === 'unauthorized';

export function revocationContract(harness: (env?: Record<string, string>) => Promise<QueueHarness>): void {
  test('a poll opened before its agent is revoked answers unauthorized, and a healthy agent gets the run', async () => {
    const h = await harness();
    const project = await h.addProject({ secrets: { TOKEN: 'not-for-revoked-agents' } });
    const revoked = await h.addAgent();
    const healthy = await h.addAgent();
    const waiting = h.queue.lease(revoked, 5000);
    const outcome = waiting.then(
      (lease) => ({ lease }),
      (error: unknown) => ({ error }),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await h.queue.revokeAgent(revoked);
    const run = await h.addRun(project);
    const answered = await outcome;
    assert.ok(
      'error' in answered && unauthorized(answered.error),
      `the poll answered ${JSON.stringify(answered)}`,
    );
    assert.equal((await h.execution(run.executionId)).status, 'queued', 'the revoked agent claimed nothing');
    assert.equal((await h.queue.lease(healthy, 0))?.runId, run.runId);
  });

  test('an agent deleted by another server cannot claim: its waiting poll is refused at the claim', async () => {
    const h = await harness();
    const project = await h.addProject();
    const gone = await h.addAgent();
    const healthy = await h.addAgent();
    const waiting = h.queue.lease(gone, 5000).then(
      (lease) => ({ lease }),
      (error: unknown) => ({ error }),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await h.deleteAgentRow(gone);
    const run = await h.addRun(project);
    const answered = await waiting;
    assert.ok(
      'error' in answered && unauthorized(answered.error),
      `the poll answered ${JSON.stringify(answered)}`,
    );
    assert.equal((await h.execution(run.executionId)).status, 'queued');
    assert.equal((await h.queue.lease(healthy, 0))?.runId, run.runId);
  });
}
