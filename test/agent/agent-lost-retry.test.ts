/**
 * `retry: {when: [agent_lost]}` with a real `slipway agent` process and a real Docker engine:
 * the agent is killed (-9) while the job runs; within the lease timeout the server puts the run
 * back in the queue (without SLIPWAY_REQUEUE_LOST: the pipeline asked for it), a second agent
 * runs the job again, and the job's record keeps the lost attempt next to the final one — in
 * the API and in the log.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { seedProject, seedRun } from '../queue/queue-fixture.js';
import { type AgentBench, startAgentBench } from '../support/agents.js';
import { endedRun } from '../support/run-state.js';
import type { TestServer } from '../support/server.js';
import { until } from '../support/wait.js';

let bench: AgentBench;
let t: TestServer;
let image = '';
let sourceDir = '';

before(async () => {
  // The first attempt finds "slow" and hangs until its agent is killed; the second finds "fast".
  bench = await startAgentBench({
    agentName: 'flow-lost-agent',
    sourcePrefix: 'slipway-flow-lost-',
    files: { 'docs/mode.txt': 'slow\n' },
  });
  ({ t, image, sourceDir } = bench);
});

after(() => bench?.close());

const startAgent = () => bench.startAgent();

describe('retry on agent_lost', { timeout: 240_000 }, () => {
  test('a killed agent process: the job runs again on the next agent; both attempts are recorded', async () => {
    const project = await seedProject(t.server.ctx);
    const run = await seedRun(t.server.ctx, project, {
      pipeline: `version: 1
image: ${image}
stages:
  - name: build
    jobs:
      work:
        retry: { max: 1, when: [agent_lost] }
        script:
          - echo "mode $(cat docs/mode.txt)"
          - if [ "$(cat docs/mode.txt)" = slow ]; then sleep 300; fi
`,
    });
    const db = t.server.ctx.db;
    const texts = async () =>
      (await t.server.ctx.logs.read(run.runId, 'work', 0, 100_000)).map((l) => l.text);
    const victim = startAgent();
    await until('the first attempt to print', async () => (await texts()).includes('mode slow'), {
      timeoutMs: 60_000,
      intervalMs: 50,
    });
    await writeFile(join(sourceDir, 'docs', 'mode.txt'), 'fast\n');
    victim.kill('SIGKILL');
    await victim.done;

    const requeued = await until(
      'the run to be queued again',
      async () => {
        const row = await db
          .selectFrom('queue')
          .selectAll()
          .where('id', '=', run.executionId)
          .executeTakeFirstOrThrow();
        return row.attempt === 2 ? row : null;
      },
      { timeoutMs: 20_000, intervalMs: 50 },
    );
    assert.equal(requeued.status, 'queued', 'not failed: the pipeline asked for a retry');

    startAgent();
    await until('the run to end', () => endedRun(db, run.runId), { timeoutMs: 90_000, intervalMs: 50 });
    const res = await t.api(`/api/projects/${project.name}/runs/1`);
    assert.equal(res.status, 200);
    const detail = (await res.json()) as {
      status: string;
      jobs: {
        name: string;
        status: string;
        attempt: number;
        retries: { attempt: number; failure: { reason: string } | null }[];
      }[];
    };
    assert.equal(detail.status, 'succeeded');
    const work = detail.jobs.find((j) => j.name === 'work');
    assert.equal(work?.status, 'succeeded');
    assert.equal(work?.attempt, 2);
    assert.equal(work?.retries.length, 1);
    assert.equal(work?.retries[0]?.failure?.reason, 'agent_lost');
    const log = await texts();
    assert.ok(
      log.indexOf('mode slow') >= 0 && log.indexOf('mode slow') < log.indexOf('mode fast'),
      log.join('\n'),
    );
  });
});
