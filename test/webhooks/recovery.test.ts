/**
 * Restart recovery of webhooks (security rule 14, "a webhook answered 2xx has its run"): a
 * delivery recorded with its event but no run — the server died after the 202, or createRun
 * failed — is re-driven once by recoverPendingDeliveries, and never twice. The "remote" is a
 * local bare repository over file:// (allowlisted); runs are recorded by a fake RunService.
 */
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { createServer } from '../../src/server/create-server.js';
import type { CreateRunInput } from '../../src/server/services.js';
import type { ProjectRow, RunRow } from '../../src/server/store/tables.js';
import type { HookRun } from '../../src/server/webhooks/hook-event.js';
import { recoverPendingDeliveries } from '../../src/server/webhooks/recover-deliveries.js';
import { startHookRun } from '../../src/server/webhooks/start-hook-run.js';
import { git, insertProject, type RecordingRuns, recordingRuns, settle, workRepo } from '../support/git.js';
import { startTestServer, type TestServer, testServerConfig } from '../support/server.js';

const SECRET = 'webhook-secret-for-recovery';

async function makeUpstream(): Promise<{ bare: string; main: string; feature: string }> {
  const bare = await mkdtemp(join(tmpdir(), 'slipway-upstream-'));
  await git(bare, ['init', '-q', '--bare', '--initial-branch=main']);
  const work = await workRepo();
  try {
    const main = await work.commit({ '.slipway.yml': 'version: 1\n' }, 'main commit');
    await work.git('checkout', '-q', '-b', 'feature/x');
    const feature = await work.commit({ 'feature.txt': 'x' }, 'feature commit');
    await work.git('push', '-q', bare, 'main', 'feature/x');
    return { bare, main, feature };
  } finally {
    await work.cleanup();
  }
}

function featurePush(main: string, feature: string): HookRun {
  return {
    kind: 'run',
    trigger: 'push',
    ref: { kind: 'branch', name: 'feature/x' },
    sha: feature,
    before: main,
    actor: 'octocat',
    fromFork: false,
    commit: { message: 'from payload', author: 'P' },
  };
}

describe('webhook delivery recovery', { concurrency: false }, () => {
  let t: TestServer;
  let upstream: { bare: string; main: string; feature: string };
  let project: ProjectRow;
  let runs: RecordingRuns;

  before(async () => {
    upstream = await makeUpstream();
    t = await startTestServer({ SLIPWAY_OUTBOUND_ALLOWLIST: 'file://' });
    project = await insertProject(t.server, {
      name: 'recovered',
      kind: 'remote',
      remoteUrl: `file://${upstream.bare}`,
      forge: 'github',
      webhookSecret: SECRET,
    });
  });
  after(async () => {
    await t.close();
    await rm(upstream.bare, { recursive: true, force: true });
  });
  beforeEach(() => {
    runs = recordingRuns();
    t.server.ctx.runs = runs;
  });

  /** A delivery as the route records it, left as a crash after the 202 leaves it. */
  async function insertPending(id: string, extra: { started_at?: number } = {}): Promise<void> {
    await t.server.ctx.db
      .insertInto('deliveries')
      .values({
        id,
        project_id: project.id,
        received_at: t.server.ctx.now() - 60_000,
        run_id: null,
        event: JSON.stringify(featurePush(upstream.main, upstream.feature)),
        started_at: extra.started_at ?? null,
      })
      .execute();
  }

  const delivery = (id: string) =>
    t.server.ctx.db.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  test('a delivery without its run gets exactly one run, on the right ref and sha', async () => {
    await insertPending('github:crashed-1');
    assert.deepEqual(await recoverPendingDeliveries(t.server.ctx), { started: 1, failed: 0 });
    assert.equal(runs.calls.length, 1);
    const [call] = runs.calls;
    assert.deepEqual(call?.event.ref, { kind: 'branch', name: 'feature/x' });
    assert.equal(call?.event.sha, upstream.feature);
    assert.equal(call?.trigger, 'push');
    assert.equal(call?.actor, 'octocat');
    assert.equal(call?.project.id, project.id);
    assert.deepEqual(call?.event.changedFiles, ['feature.txt']);
    assert.equal(call?.event.message, 'feature commit');
    assert.ok(!call?.untrusted);
    assert.equal((await delivery('github:crashed-1')).run_id, 'run-1');

    assert.deepEqual(await recoverPendingDeliveries(t.server.ctx), { started: 0, failed: 0 });
    assert.equal(runs.calls.length, 1);
  });

  test('two recoveries at once create one run', async () => {
    await insertPending('github:crashed-2');
    const results = await Promise.all([
      recoverPendingDeliveries(t.server.ctx),
      recoverPendingDeliveries(t.server.ctx),
    ]);
    assert.equal(results[0].started + results[1].started, 1);
    assert.equal(runs.calls.length, 1);
    assert.equal((await delivery('github:crashed-2')).run_id, 'run-1');
  });

  test('a delivery another process is starting is left alone', async () => {
    await insertPending('github:in-flight', { started_at: t.server.ctx.now() });
    assert.deepEqual(await recoverPendingDeliveries(t.server.ctx), { started: 0, failed: 0 });
    assert.equal(runs.calls.length, 0);
    assert.equal((await delivery('github:in-flight')).run_id, null);
  });

  test('a createRun failure after the 202 is retried once by recovery; a failed recovery is final', async () => {
    let failures = 0;
    const flaky = recordingRuns();
    t.server.ctx.runs = {
      ...flaky,
      async createRun(input: CreateRunInput): Promise<RunRow> {
        if (failures < 2) {
          failures += 1;
          throw new Error('database is locked');
        }
        return flaky.createRun(input);
      },
    };
    const body = JSON.stringify({
      ref: 'refs/heads/main',
      before: '0'.repeat(40),
      after: upstream.main,
      head_commit: {
        id: upstream.main,
        message: 'm',
        timestamp: '2024-01-01T00:00:00Z',
        author: { name: 'P' },
      },
      repository: { id: 1, full_name: 'org/repo', clone_url: `file://${upstream.bare}` },
      sender: { login: 'octocat', id: 42 },
    });
    const response = await fetch(`${t.url}/api/hooks/recovered/github`, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': randomUUID(),
        'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
      },
    });
    assert.equal(response.status, 202);
    const key = ((await response.json()) as { delivery: string }).delivery;
    for (let i = 0; i < 250 && failures < 1; i++) await settle(20);
    await settle(100);
    const recorded = await delivery(key);
    assert.equal(recorded.run_id, null);
    assert.equal(recorded.started_at, null, 'the failed attempt gives its claim back');
    assert.ok(recorded.event && !recorded.event.includes(SECRET));

    // Recovery's own attempt fails too: logged, counted, and not retried again.
    assert.deepEqual(await recoverPendingDeliveries(t.server.ctx), { started: 0, failed: 1 });
    assert.deepEqual(await recoverPendingDeliveries(t.server.ctx), { started: 0, failed: 0 });
    assert.equal(failures, 2);
    assert.equal(flaky.calls.length, 0);
  });

  test('a createRun failure after the 202 gets its run from recovery', async () => {
    let failed = false;
    const flaky = recordingRuns();
    t.server.ctx.runs = {
      ...flaky,
      async createRun(input: CreateRunInput): Promise<RunRow> {
        if (!failed) {
          failed = true;
          throw new Error('database is locked');
        }
        return flaky.createRun(input);
      },
    };
    const key = 'github:flaky-once';
    await insertPending(key);
    // The live attempt (retry: true) — as the route runs it — fails and gives the claim back.
    const hook = featurePush(upstream.main, upstream.feature);
    assert.equal(await startHookRun(t.server.ctx, project, hook, key), 'failed');
    assert.equal((await delivery(key)).started_at, null);

    assert.deepEqual(await recoverPendingDeliveries(t.server.ctx), { started: 1, failed: 0 });
    assert.equal(flaky.calls.length, 1);
    assert.equal(flaky.calls[0]?.event.sha, upstream.feature);
    assert.equal((await delivery(key)).run_id, 'run-1');
  });

  test('a restarted server starts pending runs from listen()', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'slipway-restart-'));
    const config = testServerConfig(dataDir, { SLIPWAY_OUTBOUND_ALLOWLIST: 'file://' });
    try {
      // First life: the delivery is recorded, then the server "dies" before the run exists.
      const first = await createServer(config);
      const row = await insertProject(first, {
        name: 'restarted',
        kind: 'remote',
        remoteUrl: `file://${upstream.bare}`,
        forge: 'github',
      });
      await first.ctx.db
        .insertInto('deliveries')
        .values({
          id: 'github:before-restart',
          project_id: row.id,
          received_at: first.ctx.now(),
          run_id: null,
          event: JSON.stringify(featurePush(upstream.main, upstream.feature)),
        })
        .execute();
      await first.close();

      const second = await createServer(config);
      const restarted = recordingRuns();
      second.ctx.runs = restarted;
      try {
        await second.listen();
        const [call] = await restarted.waitFor(1);
        assert.equal(call?.event.sha, upstream.feature);
        assert.deepEqual(call?.event.ref, { kind: 'branch', name: 'feature/x' });
        await settle(100);
        const recorded = await second.ctx.db
          .selectFrom('deliveries')
          .selectAll()
          .where('id', '=', 'github:before-restart')
          .executeTakeFirstOrThrow();
        assert.equal(recorded.run_id, 'run-1');
        assert.equal(restarted.calls.length, 1);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
