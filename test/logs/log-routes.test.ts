/** Log routes over HTTP: JSON pages, the SSE stream (batches, resume, end), raw download, access. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LogLine } from '../../src/domain/log-line.js';
import type { RunRow } from '../../src/server/store/tables.js';
import { pushedRun, runWithRunningJob, type SseEvent, SseReader } from '../runs/fixtures.js';
import { createUserWithToken, startTestServer, type TestServer } from '../support/server.js';

const lines = (from: number, to: number): LogLine[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ({
    n: from + i,
    t: 1000,
    stream: 'stdout',
    text: `line ${from + i} <b>\u001b[31mred\u001b[0m</b>`,
  }));
const numbersOf = (events: SseEvent[]) =>
  events.filter((e) => e.event === 'lines').flatMap((e) => (JSON.parse(e.data) as LogLine[]).map((l) => l.n));
const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('log routes', () => {
  let t: TestServer;
  let run: RunRow;
  let viewer: string;
  const base = () => `/api/projects/logs-app/runs/${run.number}/jobs/compile/logs`;

  before(async () => {
    t = await startTestServer();
    viewer = await createUserWithToken(t.server, 'vic', 'viewer');
    run = await runWithRunningJob(t, 'logs-app', 'compile');
    await t.server.ctx.logs.append(run.id, 'compile', lines(1, 2500));
  });
  after(() => t.close());

  test('JSON pages: lines after a number, next while a page is full', async () => {
    const first = (await (await t.api(`${base()}?limit=1000`)).json()) as {
      lines: LogLine[];
      next: number | null;
    };
    assert.equal(first.lines.length, 1000);
    assert.equal(first.next, 1000);
    assert.deepEqual(first.lines[0], lines(1, 1)[0]);
    const last = (await (await t.api(`${base()}?after=2000&limit=1000`)).json()) as {
      lines: LogLine[];
      next: null;
    };
    assert.equal(last.lines.length, 500);
    assert.equal(last.next, null);
    assert.equal((await t.api(`${base()}?limit=0`)).status, 400);
  });

  test('SSE: catch up in batches, follow live lines, resume with Last-Event-ID, end when the job ends', async () => {
    const res = await t.api(`${base()}/stream`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const live = new SseReader(res);
    try {
      await live.until((events) => events.some((e) => e.id === '2500'));
      assert.deepEqual(
        live.events.map((e) => [e.event, e.id]),
        // Catch-up pages hold up to 4000 lines (about one stored chunk).
        [['lines', '2500']],
      );
      await t.server.ctx.logs.append(run.id, 'compile', lines(2501, 2503));
      await live.until((events) => events.some((e) => e.id === '2503'));

      // A second client resumes where it left off: nothing before 2001, nothing twice.
      const resumed = new SseReader(
        await fetch(`${t.url}${base()}/stream`, {
          headers: { authorization: `Bearer ${viewer}`, 'last-event-id': '2000' },
        }),
      );
      await resumed.until((events) => events.some((e) => e.id === '2503'));
      assert.deepEqual(numbersOf(resumed.events), upTo(2503).slice(2000));

      await t.server.ctx.runState.jobUpdate(run.id, {
        name: 'compile',
        stage: 'build',
        status: 'succeeded',
        allowFailure: false,
        failure: null,
        skip: null,
        exitCode: 0,
        startedAt: 1000,
        finishedAt: 2000,
      });
      await live.until(() => false);
      await resumed.until(() => false);
      assert.equal(live.ended, true);
      assert.equal(live.events.at(-1)?.event, 'end');
      assert.deepEqual(numbersOf(live.events), upTo(2503));
      assert.equal(resumed.events.at(-1)?.event, 'end');
    } finally {
      await live.close();
    }
  });

  test('SSE of a finished job sends what is left after ?after and ends', async () => {
    const res = await t.api(`${base()}/stream?after=2490`);
    const reader = new SseReader(res);
    await reader.until(() => false);
    assert.deepEqual(numbersOf(reader.events), upTo(2503).slice(2490));
    assert.equal(reader.events.at(-1)?.event, 'end');
  });

  test('raw download: text/plain, nosniff, attachment, every line', async () => {
    const res = await t.api(`${base()}/raw`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.match(
      res.headers.get('content-disposition') ?? '',
      /^attachment; filename="main-[0-9a-f]{7}-compile\.log"/,
    );
    const text = await res.text();
    const rows = text.split('\n');
    assert.equal(rows.length, 2504);
    assert.equal(rows[0], lines(1, 1)[0]?.text);
    assert.equal(rows[2502], lines(2503, 2503)[0]?.text);
  });

  test('every log route checks access: 401 anonymous, 404 for unknown project, run or job', async () => {
    const r = run.number;
    for (const suffix of ['', '/stream', '/raw']) {
      assert.equal((await fetch(`${t.url}${base()}${suffix}`)).status, 401, suffix);
      const asViewer = await fetch(`${t.url}${base()}${suffix}${suffix === '/stream' ? '?after=2503' : ''}`, {
        headers: { authorization: `Bearer ${viewer}` },
      });
      assert.equal(asViewer.status, 200, suffix);
      await asViewer.body?.cancel();
      for (const path of [
        `/api/projects/nope/runs/${r}/jobs/compile/logs`,
        `/api/projects/logs-app/runs/999/jobs/compile/logs`,
        `/api/projects/logs-app/runs/${r}/jobs/nope/logs`,
      ]) {
        assert.equal((await t.api(`${path}${suffix}`)).status, 404, `${path}${suffix}`);
      }
    }
  });
});

describe('shutdown with open streams', () => {
  test('closing the server ends live SSE streams instead of waiting for the clients', async () => {
    const t = await startTestServer();
    const run = await pushedRun(t, 'open-streams');
    const events = new SseReader(await t.api('/api/projects/open-streams/events'));
    const log = new SseReader(
      await t.api(`/api/projects/open-streams/runs/${run.number}/jobs/compile/logs/stream`),
    );
    await events.until((e) => e.length === 0);
    const closed = t.close().then(() => 'closed');
    const timeout = new Promise((resolve) => setTimeout(() => resolve('hung'), 3000).unref());
    assert.equal(await Promise.race([closed, timeout]), 'closed');
    await events.until(() => false);
    await log.until(() => false);
    assert.equal(events.ended && log.ended, true);
  });
});
