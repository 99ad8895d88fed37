/**
 * Coded system lines through the server: the agent protocol keeps code and params, storage keeps
 * them beside the text, the JSON page and the SSE stream return them, the raw download and
 * uncoded lines stay as they were (issue #14).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LogLine } from '../../src/domain/log-line.js';
import { logBatchSchema } from '../../src/protocol/agent-protocol.js';
import type { RunRow } from '../../src/server/store/tables.js';
import { runWithRunningJob, SseReader } from '../runs/fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';

const LINES: LogLine[] = [
  { n: 1, t: 1000, stream: 'stdout', text: 'npm test' },
  {
    n: 2,
    t: 1001,
    stream: 'system',
    text: 'cache: restored key npm-abc (392 MB, 1543 ms, mounted copy-on-write)',
    code: 'cache.restored',
    params: { key: 'npm-abc', bytes: 411_041_792, ms: 1543, how: 'mounted' },
  },
  {
    n: 3,
    t: 1002,
    stream: 'system',
    text: '[slipway] tests: 104 passed, 0 failed, 2 skipped',
    code: 'tests.summary',
    params: { passed: 104, failed: 0, skipped: 2 },
  },
  // A code on job output is not Slipway's: the server keeps the text only.
  { n: 4, t: 1003, stream: 'stdout', text: 'echo', code: 'cache.saved', params: { key: 'x' } },
];

describe('coded system lines', () => {
  let t: TestServer;
  let run: RunRow;
  const base = () => `/api/projects/syslog-app/runs/${run.number}/jobs/compile/logs`;

  before(async () => {
    t = await startTestServer();
    run = await runWithRunningJob(t, 'syslog-app', 'compile');
    // As the agent's batch arrives: parsed by the protocol schema first.
    const batch = logBatchSchema.parse({ job: 'compile', lines: LINES });
    await t.server.ctx.logs.append(run.id, 'compile', batch.lines);
  });
  after(() => t.close());

  test('the protocol keeps code and params, and refuses malformed ones', () => {
    const parsed = logBatchSchema.parse({ job: 'compile', lines: LINES });
    assert.deepEqual(parsed.lines[1], LINES[1]);
    // An older agent's line has neither.
    assert.deepEqual(logBatchSchema.parse({ job: 'j', lines: [LINES[0]] }).lines[0], LINES[0]);
    const bad = (line: object) =>
      logBatchSchema.safeParse({ job: 'j', lines: [{ n: 1, t: 1, stream: 'system', text: 'x', ...line }] })
        .success;
    assert.equal(bad({ code: 'Not A Code' }), false);
    assert.equal(bad({ code: 'cache.saved', params: { key: { nested: true } } }), false);
    const many = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`p${i}`, i]));
    assert.equal(bad({ code: 'cache.saved', params: many }), false);
  });

  test('the JSON page returns code and params on system lines only', async () => {
    const page = (await (await t.api(base())).json()) as { lines: LogLine[] };
    assert.deepEqual(page.lines.slice(0, 3), LINES.slice(0, 3));
    assert.deepEqual(page.lines[3], { n: 4, t: 1003, stream: 'stdout', text: 'echo' });
  });

  test('the SSE stream carries code and params', async () => {
    const reader = new SseReader(await t.api(`${base()}/stream`));
    try {
      const events = await reader.until((e) => e.some((x) => x.event === 'lines'));
      const sent = events.filter((e) => e.event === 'lines').flatMap((e) => JSON.parse(e.data) as LogLine[]);
      assert.deepEqual(sent[1], LINES[1]);
      assert.deepEqual(sent[2], LINES[2]);
    } finally {
      await reader.close();
    }
  });

  test('the raw download stays the English text', async () => {
    const text = await (await t.api(`${base()}/raw`)).text();
    assert.equal(text, `${LINES.map((l) => l.text).join('\n')}\n`);
  });
});
