/** The run page offers "Run" for a manual job only while nothing before it failed (web/src/pages/manual-gate.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobJson, RunDetail } from '../../src/server/runs/run-json.js';
import { playable } from '../../web/src/pages/manual-gate.js';

const job = (
  name: string,
  stage: string,
  status: JobJson['status'],
  extra: Partial<JobJson> = {},
): JobJson => ({
  name,
  stage,
  status,
  allowFailure: false,
  manual: false,
  interruptible: false,
  failure: null,
  skip: null,
  exitCode: null,
  startedAt: null,
  finishedAt: null,
  attempt: 1,
  retries: [],
  ...extra,
});

test('a manual job is offered unless an earlier stage failed (allowed failures do not count)', () => {
  const ship = job('ship', 'deploy', 'manual', { manual: true });
  const run = (unit: JobJson) => ({ jobs: [unit, ship] }) as unknown as RunDetail;
  assert.equal(playable(run(job('unit', 'test', 'succeeded')), ship), true);
  assert.equal(playable(run(job('unit', 'test', 'failed')), ship), false);
  assert.equal(playable(run(job('unit', 'test', 'failed', { allowFailure: true })), ship), true);
  assert.equal(playable(run(job('unit', 'test', 'running')), ship), true);
  assert.equal(playable(run(job('unit', 'test', 'succeeded')), job('x', 'deploy', 'skipped')), false);
});
