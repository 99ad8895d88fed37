/**
 * Part of the QueueService contract (queue-contract.ts): agent labels. A run whose pipeline says
 * `runs_on` (or that deploys to an environment pinned with `runsOn`) is leased only by an agent
 * with every required label; other agents pass it over and take the rest of the queue; while no
 * connected agent has the labels, the run says so instead of waiting silently.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { QueueHarness } from './queue-contract.js';

const LABELLED = `version: 1
image: busybox
runs_on: { pool: build }
stages:
  - name: build
    jobs:
      compile: { script: [echo compiled], runs_on: { arch: arm64 } }
`;

const DEPLOYS_TO_PRODUCTION = `version: 1
stages:
  - name: ship
    jobs:
      release: { deploy: { app: web, env: production, image: nginx:1 } }
`;

export function labelContract(harness: (env?: Record<string, string>) => Promise<QueueHarness>): void {
  test('a labelled run goes only to an agent with every label; others take the unlabelled runs', async () => {
    const h = await harness();
    const project = await h.addProject();
    const labelled = await h.addRun(project, { pipeline: LABELLED });
    const plain = await h.addRun(project);
    const unlabelled = await h.addAgent();
    const halfway = await h.addAgent();
    const builder = await h.addAgent();
    await h.declareAgent(halfway, { pool: 'build', arch: 'x64' });
    await h.declareAgent(builder, { pool: 'build', arch: 'arm64', os: 'linux' });

    // The labelled run is older, but neither agent without both labels may take it.
    assert.equal((await h.queue.lease(unlabelled, 0))?.runId, plain.runId);
    assert.equal(await h.queue.lease(halfway, 0), null);
    assert.equal((await h.execution(labelled.executionId)).status, 'queued');
    assert.equal((await h.queue.lease(builder, 0))?.runId, labelled.runId);
  });

  test('a queued run no connected agent can take says which labels it waits for', async () => {
    const h = await harness();
    const project = await h.addProject();
    const run = await h.addRun(project, { pipeline: LABELLED });
    const plain = await h.addRun(project);
    const other = await h.addAgent();
    await h.declareAgent(other, { pool: 'deploy' });
    assert.equal((await h.queue.lease(other, 0))?.runId, plain.runId);
    assert.deepEqual(await h.waiting(run.runId), {
      code: 'no_matching_agent',
      labels: ['arch=arm64', 'pool=build'],
      message: 'waiting for an agent with labels arch=arm64, pool=build',
    });
    assert.equal(await h.waiting(plain.runId), undefined, 'a leased run does not wait');

    // An agent with the labels that has not called within the lease timeout counts as gone.
    const stale = await h.addAgent();
    await h.declareAgent(stale, { pool: 'build', arch: 'arm64' }, h.clock.now - 60_000);
    assert.equal((await h.waiting(run.runId))?.code, 'no_matching_agent');
    // One that is connected: the run waits for nothing but its turn.
    await h.declareAgent(stale, { pool: 'build', arch: 'arm64' }, h.clock.now);
    assert.equal(await h.waiting(run.runId), undefined);
  });

  test('a run deploying to an environment pinned with runsOn is leased only by a matching agent', async () => {
    const h = await harness();
    const project = await h.addProject();
    await h.addEnvironment(project, 'web', 'production', { runsOn: { pool: 'production' } });
    const deploy = await h.addRun(project, { pipeline: DEPLOYS_TO_PRODUCTION });
    const ordinary = await h.addAgent();
    const production = await h.addAgent();
    await h.declareAgent(ordinary, { pool: 'build' });
    await h.declareAgent(production, { pool: 'production' });
    assert.equal(await h.queue.lease(ordinary, 0), null);
    assert.deepEqual((await h.waiting(deploy.runId))?.labels, undefined, 'a matching agent is connected');
    const lease = await h.queue.lease(production, 0);
    assert.equal(lease?.runId, deploy.runId);
    const release = lease?.deployments?.release;
    assert.ok(release && !('refused' in release), `deployment refused: ${JSON.stringify(release)}`);
  });

  test('an environment pinned after the run was queued refuses the deployment to an agent without its labels', async () => {
    const h = await harness();
    const project = await h.addProject();
    const deploy = await h.addRun(project, { pipeline: DEPLOYS_TO_PRODUCTION });
    // Added after enqueue: the queue did not know the pin, the lease checks it.
    await h.addEnvironment(project, 'web', 'production', { runsOn: { pool: 'production' } });
    const ordinary = await h.addAgent();
    await h.declareAgent(ordinary, { pool: 'build' });
    const lease = await h.queue.lease(ordinary, 0);
    assert.equal(lease?.runId, deploy.runId);
    const release = lease?.deployments?.release;
    assert.ok(release && 'refused' in release);
    assert.match(release.refused, /deploys only from agents with labels pool=production/);
  });
}
