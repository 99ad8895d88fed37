import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { plainJob } from '../../src/pipeline/plan/plain-job.js';
import type { Plan, PlanJob } from '../../src/pipeline/plan/plan.js';
import type { BuiltImageMessage, JobResultMessage, LeaseMessage } from '../../src/protocol/agent-protocol.js';
import { createAgent } from '../../src/server/queue/agent-registry.js';
import { enqueue } from '../../src/server/queue/enqueue.js';
import { allocateRunNumber, insertRunWithJobs, plannedJobRows } from '../../src/server/runs/run-rows.js';
import { runRow } from '../support/rows.js';
import { createUserWithToken, startTestServer, type TestServer } from '../support/server.js';

/**
 * Releases made by pipelines: a `deploy:` job inside a run (its release is created when the job
 * is leased, its image comes from the job's result) and 自动发布 — a build job's image on a
 * matching branch starts a release of every environment whose autoRelease matches. Runs are
 * stored with hand-written plans (what compile-plan produces) so no repository is needed; the
 * agent's side goes through the server's queue service.
 */
const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const REPO = 'reg.local/mono/svc';

function job(name: string, stage: string, extra: Partial<PlanJob>): PlanJob {
  return plainJob(name, stage, 60_000, extra);
}

const build = job('image', 'build', {
  build: {
    dockerfile: 'Dockerfile',
    context: '.',
    target: null,
    args: {},
    cache: true,
    repository: REPO,
    tags: ['latest'],
    push: true,
    registry: null,
    secrets: [],
  },
});

function image(digest: string): BuiltImageMessage {
  return {
    repository: REPO,
    tags: ['latest'],
    digest,
    imageId: `sha256:${'9'.repeat(64)}`,
    size: 1,
    pushed: true,
    registry: 'reg.local',
  };
}

describe('pipeline deploy jobs and auto release', () => {
  let t: TestServer;
  let agentId: string;
  let projectId: string;

  async function storeRun(branch: string, jobs: PlanJob[][], untrusted = false): Promise<string> {
    const { db } = t.server.ctx;
    const plan: Plan = {
      version: 1,
      record: `${branch}-abc1234`,
      event: {
        kind: 'push',
        ref: { kind: 'branch', name: branch },
        sha: 'a'.repeat(40),
        author: 'dev',
        message: 'm',
      },
      gitflow: null,
      skip: null,
      stages: jobs.map((js, i) => ({ name: js[0]?.stage ?? `s${i}`, jobs: js })),
    };
    const id = randomUUID();
    await db.transaction().execute(async (trx) => {
      const number = await allocateRunNumber(trx, projectId);
      const row = runRow({
        id,
        project_id: projectId,
        number,
        ref_name: branch,
        sha: 'a'.repeat(40),
        status: 'queued',
        plan: JSON.stringify(plan),
        untrusted: untrusted ? 1 : 0,
      });
      await insertRunWithJobs(trx, row, plannedJobRows(id, plan));
      await enqueue(trx, {
        runId: id,
        projectId,
        jobs: [],
        runManual: false,
        reuseWorkspace: false,
        now: Date.now(),
      });
    });
    return id;
  }

  async function lease(): Promise<LeaseMessage> {
    const l = await t.server.ctx.queue.lease(agentId, 1_000);
    assert.ok(l, 'an execution is queued');
    return l;
  }

  async function report(l: LeaseMessage, name: string, stage: string, extra: Partial<JobResultMessage>) {
    const base: JobResultMessage = {
      name,
      stage,
      status: 'succeeded',
      allowFailure: false,
      failure: null,
      skip: null,
      exitCode: null,
      startedAt: Date.now(),
      finishedAt: Date.now(),
    };
    await t.server.ctx.queue.jobUpdate(agentId, l.leaseId, { ...base, ...extra });
  }

  async function finish(l: LeaseMessage) {
    await t.server.ctx.queue.finish(agentId, l.leaseId, {
      status: 'succeeded',
      startedAt: Date.now(),
      finishedAt: Date.now(),
      error: null,
    });
  }

  async function releases(env: string) {
    const res = await t.api(`/api/projects/mono/applications/svc/releases?env=${env}`);
    return ((await res.json()) as { releases: Record<string, unknown>[] }).releases;
  }

  before(async () => {
    t = await startTestServer();
    agentId = (await createAgent(t.server.ctx.db, { name: 'a', embedded: false, now: Date.now() })).agent.id;
    const res = await t.api('/api/projects', {
      method: 'POST',
      body: JSON.stringify({
        visibility: 'internal',
        name: 'mono',
        source: { kind: 'builtin' },
      }),
    });
    assert.equal(res.status, 201);
    projectId = (
      await t.server.ctx.db
        .selectFrom('projects')
        .select('id')
        .where('name', '=', 'mono')
        .executeTakeFirstOrThrow()
    ).id;
    const app = await t.api('/api/projects/mono/applications', {
      method: 'POST',
      body: JSON.stringify({
        name: 'svc',
        environments: [
          { name: 'dev', config: { repository: REPO }, autoRelease: { branches: ['develop'] } },
          { name: 'prod', requiresApproval: true },
        ],
      }),
    });
    assert.equal(app.status, 201, await app.text());
  });
  after(async () => {
    await t.close();
  });

  it('a built image of a matching branch is released automatically; other branches are not', async () => {
    const feature = await storeRun('feature/x', [[build]]);
    let l = await lease();
    assert.equal(l.runId, feature);
    await report(l, 'image', 'build', { image: image(D1) });
    await finish(l);
    assert.equal((await releases('dev')).length, 0, 'feature/x does not match develop');

    const develop = await storeRun('develop', [[build]]);
    l = await lease();
    assert.equal(l.runId, develop);
    await report(l, 'image', 'build', { image: image(D1) });
    await finish(l);
    const [auto] = await releases('dev');
    assert.equal(auto?.trigger, 'auto');
    assert.equal(auto?.image, `${REPO}@${D1}`);
    assert.equal(auto?.digest, D1);
    assert.equal(auto?.sourceSha, 'a'.repeat(40));
    assert.equal(typeof auto?.sourceRun, 'number');

    // The release run is executed like any other.
    l = await lease();
    const d = l.deployments?.deploy;
    assert.ok(d && !('refused' in d));
    assert.equal(d.image, `${REPO}@${D1}`);
    await report(l, 'deploy', 'deploy', {
      release: { id: d.releaseId, status: 'succeeded', image: d.image ?? '' },
    });
    await finish(l);
    assert.equal((await releases('dev'))[0]?.status, 'succeeded');
  });

  it("a pipeline's deploy job gets its release at lease time and the built image from its result", async () => {
    const ship = job('ship', 'deploy', { deploy: { app: 'svc', env: 'dev', from: 'image', image: null } });
    await storeRun('main', [[build], [ship]]);
    const l = await lease();
    const d = l.deployments?.ship;
    assert.ok(d && !('refused' in d), JSON.stringify(d));
    assert.equal(d.image, null, 'the image comes from the build job, on the agent');
    await report(l, 'image', 'build', { image: image(D2) });
    await report(l, 'ship', 'deploy', {
      release: { id: d.releaseId, status: 'succeeded', image: `${REPO}@${D2}`, digest: D2 },
    });
    await finish(l);
    const [latest] = await releases('dev');
    assert.equal(latest?.trigger, 'pipeline');
    assert.equal(latest?.status, 'succeeded');
    assert.equal(latest?.digest, D2);
    assert.equal(latest?.actor, 'alice');
  });

  it('refuses a pipeline deploy into an approval-gated environment unless the job is manual, and untrusted runs', async () => {
    const toProd = job('ship', 'deploy', {
      deploy: { app: 'svc', env: 'prod', from: null, image: `${REPO}@${D2}` },
    });
    await storeRun('main', [[toProd]]);
    let l = await lease();
    const refused = l.deployments?.ship;
    assert.ok(refused && 'refused' in refused);
    assert.match(refused.refused, /requires approval/);
    await report(l, 'ship', 'deploy', {
      status: 'failed',
      failure: { reason: 'backend_error', message: refused.refused },
    });
    await finish(l);

    const toDev = job('ship', 'deploy', {
      deploy: { app: 'svc', env: 'dev', from: null, image: `${REPO}@${D2}` },
    });
    await storeRun('main', [[toDev]], true);
    l = await lease();
    const untrusted = l.deployments?.ship;
    assert.ok(untrusted && 'refused' in untrusted);
    assert.match(untrusted.refused, /untrusted/);
    await finish(l);

    const unknown = job('ship', 'deploy', { deploy: { app: 'svc', env: 'qa', from: null, image: 'x:1' } });
    await storeRun('main', [[unknown]]);
    l = await lease();
    const missing = l.deployments?.ship;
    assert.ok(missing && 'refused' in missing);
    assert.match(missing.refused, /no environment "qa"/);
    await finish(l);
    assert.equal((await releases('prod')).length, 0);
  });

  it('a deploy job its filters skip gets no release record', async () => {
    const before = (await releases('dev')).length;
    const filtered = job('ship', 'deploy', {
      deploy: { app: 'svc', env: 'dev', from: null, image: `${REPO}@${D2}` },
      skip: { code: 'filtered', message: 'only: main' },
    });
    await storeRun('feature/y', [[filtered]]);
    const l = await lease();
    assert.equal(l.deployments?.ship, undefined, 'no deployment is prepared for a skipped job');
    await report(l, 'ship', 'deploy', {
      status: 'skipped',
      skip: { code: 'filtered', message: 'only: main' },
    });
    await finish(l);
    assert.equal((await releases('dev')).length, before, 'no "canceled" release was added');
  });

  it('four-eyes: whoever started the run cannot play its deploy job into a gated environment', async () => {
    const put = await t.api('/api/projects/mono/applications/svc/environments/prod', {
      method: 'PUT',
      body: JSON.stringify({ requiresApproval: true, config: { fourEyes: true } }),
    });
    assert.ok(put.status === 200 || put.status === 201, await put.clone().text());
    const alice = await createUserWithToken(t.server, 'alice', 'maintainer');
    const ship = job('ship', 'deploy', {
      deploy: { app: 'svc', env: 'prod', from: null, image: `${REPO}@${D2}` },
      manual: true,
    });
    await storeRun('main', [[ship]]);
    const l = await lease();
    await finish(l);
    const runs = (await (await t.api('/api/projects/mono/runs')).json()) as { runs: { number: number }[] };
    const number = runs.runs[0]?.number;
    const play = `/api/projects/mono/runs/${number}/jobs/ship/play`;
    const own = await t.api(play, { method: 'POST', headers: { authorization: `Bearer ${alice}` } });
    assert.equal(own.status, 403, 'alice pushed the run (actor) and may not approve it');
    const refusal = (await own.json()) as { error: { message: string; reason?: string; params?: unknown } };
    assert.match(refusal.error.message, /four-eyes/);
    assert.equal(refusal.error.reason, 'four_eyes');
    assert.deepEqual(refusal.error.params, { actor: 'alice', target: 'svc/prod', run: number });
    const other = await t.api(play, { method: 'POST' });
    assert.equal(other.status, 202, await other.clone().text());
  });
});
