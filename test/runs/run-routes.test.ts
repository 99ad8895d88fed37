/** The run API: records page (keyset), detail, manual run, cancel/rerun/play, events, access. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunDetail, RunSummary } from '../../src/server/runs/run-json.js';
import type { DbRunService } from '../../src/server/runs/run-service.js';
import type { ProjectRow } from '../../src/server/store/tables.js';
import { createUserWithToken, startTestServer, type TestServer } from '../support/server.js';
import {
  type ConfigSources,
  configSources,
  insertProject,
  post,
  push,
  readSse,
  useSources,
} from './fixtures.js';

interface Page {
  runs: RunSummary[];
  next: number | null;
}

describe('run routes', () => {
  let t: TestServer;
  let sources: ConfigSources;
  let runs: DbRunService;
  let project: ProjectRow;
  let viewer: string;
  before(async () => {
    t = await startTestServer();
    sources = configSources();
    runs = useSources(t, sources);
    project = await insertProject(t, 'shop');
    viewer = await createUserWithToken(t.server, 'vera', 'viewer');
    // Seven runs: 1–4 on main, 5–6 on feature/x (6 is a cron run), 7 a tag.
    for (let i = 1; i <= 7; i++) {
      const ref =
        i === 7
          ? ({ kind: 'tag', name: 'v1.0.0' } as const)
          : ({ kind: 'branch', name: i <= 4 ? 'main' : 'feature/x' } as const);
      await runs.createRun({
        project,
        event: push({ ref, kind: i === 7 ? 'tag' : 'push' }),
        trigger: i === 6 ? 'cron' : i === 7 ? 'tag' : 'push',
        actor: 'alice',
      });
    }
    await t.server.ctx.db
      .updateTable('runs')
      .set({ status: 'failed' })
      .where('number', 'in', [2, 5])
      .execute();
  });
  after(() => t.close());

  const page = async (query: string) => {
    const res = await t.api(`/api/projects/shop/runs${query}`);
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as Page;
  };
  const numbers = (p: Page) => p.runs.map((r) => r.number);

  test('the records page: newest first, keyset pages until next is null', async () => {
    const first = await page('?limit=3');
    assert.deepEqual(numbers(first), [7, 6, 5]);
    assert.equal(first.next, 5);
    const second = await page(`?limit=3&before=${first.next}`);
    assert.deepEqual(numbers(second), [4, 3, 2]);
    const third = await page(`?limit=3&before=${second.next}`);
    assert.deepEqual(numbers(third), [1]);
    assert.equal(third.next, null);
    assert.equal((await page('')).runs.length, 7);
  });

  test('filters: branch, status, trigger, combined with pages', async () => {
    assert.deepEqual(numbers(await page('?branch=main')), [4, 3, 2, 1]);
    assert.deepEqual(numbers(await page('?branch=feature%2Fx')), [6, 5]);
    assert.deepEqual(numbers(await page('?branch=v1.0.0')), [], 'a tag is not a branch');
    assert.deepEqual(numbers(await page('?status=failed')), [5, 2]);
    assert.deepEqual(numbers(await page('?trigger=cron')), [6]);
    const p = await page('?branch=main&limit=2');
    assert.deepEqual(numbers(p), [4, 3]);
    assert.deepEqual(numbers(await page(`?branch=main&limit=2&before=${p.next}`)), [2, 1]);
  });

  test('bad query values are 400 naming the field', async () => {
    for (const q of ['?limit=0', '?limit=101', '?status=bogus', '?before=x']) {
      const res = await t.api(`/api/projects/shop/runs${q}`);
      assert.equal(res.status, 400, q);
      const body = (await res.json()) as { error: { where: string } };
      assert.match(body.error.where, /^query\./);
    }
  });

  test('a summary carries what the records table shows', async () => {
    const [summary] = (await page('?limit=1&branch=main')).runs;
    assert.ok(summary);
    assert.deepEqual(Object.keys(summary).sort(), [
      'actor',
      'attempt',
      'author',
      'cancelReason',
      'commitTime',
      'createdAt',
      'durationMs',
      'failure',
      'finishedAt',
      'id',
      'message',
      'number',
      'parentRunId',
      'project',
      'record',
      'ref',
      'sha',
      'shortSha',
      'stages',
      'startedAt',
      'status',
      'tests',
      'trigger',
    ]);
    assert.equal(summary.project, 'shop');
    assert.deepEqual(summary.ref, { kind: 'branch', name: 'main' });
    assert.equal(summary.shortSha, summary.sha.slice(0, 7));
    assert.equal(summary.record, `main-${summary.shortSha}`);
    assert.deepEqual(
      summary.stages.map((s) => [s.name, s.status]),
      [
        ['build', 'pending'],
        ['test', 'pending'],
        ['deploy', 'manual'],
      ],
    );
  });

  test('detail: the summary plus jobs in plan order, diagnostics and variable names', async () => {
    const res = await t.api('/api/projects/shop/runs/4');
    assert.equal(res.status, 200);
    const detail = (await res.json()) as RunDetail;
    assert.equal(detail.number, 4);
    assert.deepEqual(
      detail.jobs.map((j) => [j.name, j.stage, j.status, j.allowFailure, j.manual]),
      [
        ['compile', 'build', 'pending', false, false],
        ['unit', 'test', 'pending', false, false],
        ['lint', 'test', 'pending', true, false],
        ['ship', 'deploy', 'manual', true, true],
      ],
    );
    assert.deepEqual(Object.keys(detail.jobs[0] ?? {}).sort(), [
      'allowFailure',
      'attempt',
      'exitCode',
      'failure',
      'finishedAt',
      'interruptible',
      'manual',
      'name',
      'retries',
      'skip',
      'stage',
      'startedAt',
      'status',
    ]);
    assert.deepEqual(detail.diagnostics, []);
    assert.deepEqual(detail.variables, []);
  });

  test('a manual run: the branch resolved, the clicker as actor, variables by name only', async () => {
    sources.refs.set('branch:feature/y', 'b'.repeat(40));
    const res = await t.api(
      '/api/projects/shop/runs',
      post({ branch: 'feature/y', variables: { TARGET: 'staging', TOKEN_HINT: 'x' } }),
    );
    assert.equal(res.status, 201, await res.clone().text());
    const summary = (await res.json()) as RunSummary;
    assert.equal(summary.trigger, 'manual');
    assert.match(summary.actor, /^admin-/);
    assert.equal(summary.sha, 'b'.repeat(40));
    assert.equal(summary.message, 'commit bbbbbbb');
    assert.equal(summary.author, 'alice');
    assert.equal(summary.commitTime, 1_700_000_000_000);
    assert.equal(summary.status, 'queued');
    const detail = (await (await t.api(`/api/projects/shop/runs/${summary.number}`)).json()) as RunDetail;
    assert.deepEqual(detail.variables, ['TARGET', 'TOKEN_HINT']);
    assert.doesNotMatch(JSON.stringify(detail), /staging/);

    const byDefault = await t.api('/api/projects/shop/runs', post());
    assert.equal(byDefault.status, 201);
    assert.deepEqual(((await byDefault.json()) as RunSummary).ref, { kind: 'branch', name: 'main' });
  });

  test('a manual run of an unknown ref is 400 naming it; bad bodies are 400', async () => {
    const res = await t.api('/api/projects/shop/runs', post({ tag: 'v9.9.9' }));
    assert.equal(res.status, 400);
    const body = (await res.json()) as { error: { message: string; where: string } };
    assert.match(body.error.message, /tag "v9\.9\.9" does not exist/);
    assert.equal(body.error.where, 'body.tag');
    assert.equal((await t.api('/api/projects/shop/runs', post({ branch: 'main', tag: 'v1' }))).status, 400);
    assert.equal(
      (await t.api('/api/projects/shop/runs', post({ variables: { 'no-dash': 'x' } }))).status,
      400,
    );
    assert.equal((await t.api('/api/projects/shop/runs', post({ extra: 1 }))).status, 400);
  });

  test('cancel, rerun and play through the API', async () => {
    const created = (await (
      await t.api('/api/projects/shop/runs', post({ branch: 'main' }))
    ).json()) as RunSummary;
    const base = `/api/projects/shop/runs/${created.number}`;

    const canceled = await t.api(`${base}/cancel`, post());
    assert.equal(canceled.status, 202);
    assert.equal(((await canceled.json()) as RunSummary).status, 'canceled');
    assert.equal((await t.api(`${base}/cancel`, post())).status, 202, 'idempotent');

    const rerun = await t.api(`${base}/rerun`, post({ failedOnly: false }));
    assert.equal(rerun.status, 201);
    const again = (await rerun.json()) as RunSummary;
    assert.equal(again.parentRunId, created.id);
    assert.equal(again.trigger, 'rerun');

    const resume = await t.api(`${base}/rerun`, post({ failedOnly: true }));
    assert.equal(resume.status, 201, 'canceled jobs are resumable');

    const other = (await (await t.api('/api/projects/shop/runs', post())).json()) as RunSummary;
    const played = await t.api(`/api/projects/shop/runs/${other.number}/jobs/ship/play`, post());
    assert.equal(played.status, 202);
    assert.equal(((await played.json()) as { status: string }).status, 'pending');
    assert.equal((await t.api(`/api/projects/shop/runs/${other.number}/jobs/ship/play`, post())).status, 409);
    assert.equal((await t.api(`/api/projects/shop/runs/${other.number}/jobs/nope/play`, post())).status, 404);
  });

  test('access: 401 without a token, viewers read but do not act, unknown things are 404', async () => {
    const anonymous = (path: string, init: RequestInit = {}) => fetch(`${t.url}${path}`, init);
    const asViewer = (path: string, init: RequestInit = {}) =>
      fetch(`${t.url}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${viewer}`, 'content-type': 'application/json' },
      });
    for (const path of ['/api/projects/shop/runs', '/api/projects/shop/runs/1', '/api/projects/nope/runs']) {
      assert.equal((await anonymous(path)).status, 401, path);
    }
    assert.equal((await anonymous('/api/projects/shop/runs/1/cancel', { method: 'POST' })).status, 401);
    assert.equal((await anonymous('/api/projects/shop/events')).status, 401);

    assert.equal((await asViewer('/api/projects/shop/runs')).status, 200);
    assert.equal((await asViewer('/api/projects/shop/runs/1')).status, 200);
    assert.equal((await asViewer('/api/projects/nope/runs')).status, 404);
    assert.equal((await asViewer('/api/projects/shop/runs/999')).status, 404);
    assert.equal(
      (await asViewer('/api/projects/shop/runs/1/cancel', { method: 'POST', body: '{}' })).status,
      403,
    );
    assert.equal((await asViewer('/api/projects/shop/runs', { method: 'POST', body: '{}' })).status, 403);

    assert.equal((await t.api('/api/projects/nope/runs/1')).status, 404);
    assert.equal((await t.api('/api/projects/nope/runs/1/cancel', post())).status, 404);
    assert.equal((await t.api('/api/projects/shop/runs/999/rerun', post())).status, 404);
  });

  test('project events: run and job changes as SSE', async () => {
    const res = await t.api('/api/projects/shop/events');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const reading = readSse(res, (events) => events.some((e) => e.event === 'run'));
    const run = await runs.createRun({ project, event: push(), trigger: 'push', actor: 'alice' });
    const events = await reading;
    const jobEvent = events.find((e) => e.event === 'job');
    assert.ok(jobEvent, JSON.stringify(events));
    const runEvent = JSON.parse(events.find((e) => e.event === 'run')?.data ?? '{}') as {
      type: string;
      runId: string;
      number: number;
      data: RunSummary;
    };
    assert.equal(runEvent.type, 'run');
    assert.equal(runEvent.runId, run.id);
    assert.equal(runEvent.data.number, run.number);
    assert.equal(runEvent.data.status, 'queued');
  });
});
