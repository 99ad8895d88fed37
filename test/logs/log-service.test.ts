/** DbLogService: idempotent numbered appends, the server-side cap, reads and live subscribers. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LogLine } from '../../src/domain/log-line.js';
import { DbLogService } from '../../src/server/logs/log-service.js';
import { configSources, insertProject, push, useSources } from '../runs/fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';

const line = (n: number, text = `line ${n}`): LogLine => ({ n, t: 1000 + n, stream: 'stdout', text });
const range = (from: number, to: number, text?: (n: number) => string) =>
  Array.from({ length: to - from + 1 }, (_, i) => line(from + i, text?.(from + i)));

describe('DbLogService', () => {
  let t: TestServer;
  let runId: string;
  before(async () => {
    t = await startTestServer();
    const project = await insertProject(t);
    const run = await useSources(t, configSources()).createRun({
      project,
      event: push(),
      trigger: 'push',
      actor: 'a',
    });
    runId = run.id;
  });
  after(() => t.close());

  const service = (maxBytes = 1024 * 1024) => new DbLogService({ db: t.server.ctx.db, maxBytes });
  const numbersOf = (lines: LogLine[]) => lines.map((l) => l.n);

  test('append then read pages by line number', async () => {
    const logs = service();
    await logs.append(runId, 'compile', range(1, 250));
    assert.deepEqual(numbersOf(await logs.read(runId, 'compile', 0, 3)), [1, 2, 3]);
    assert.deepEqual(numbersOf(await logs.read(runId, 'compile', 248, 100)), [249, 250]);
    assert.deepEqual(await logs.read(runId, 'compile', 250, 100), []);
    assert.deepEqual(await logs.read(runId, 'unit', 0, 100), [], 'per job');
    const [first] = await logs.read(runId, 'compile', 0, 1);
    assert.deepEqual(first, line(1));
  });

  test('a retried or overlapping batch adds nothing twice and leaves no gap', async () => {
    const logs = service();
    await logs.append(runId, 'retry', range(1, 10));
    await logs.append(runId, 'retry', range(1, 10));
    await logs.append(runId, 'retry', range(8, 15));
    await logs.append(runId, 'retry', [line(16), line(16), line(17)]);
    // Two appends racing for the same job are serialized.
    await Promise.all([
      logs.append(runId, 'retry', range(18, 30)),
      logs.append(runId, 'retry', range(25, 40)),
    ]);
    const all = await logs.read(runId, 'retry', 0, 1000);
    assert.deepEqual(
      numbersOf(all),
      range(1, 40).map((l) => l.n),
    );
    // A new service (a restart) knows what is stored.
    await service().append(runId, 'retry', range(35, 41));
    assert.equal((await logs.read(runId, 'retry', 0, 1000)).length, 41);
  });

  test('the cap: lines past maxBytes become one marker, everything later is dropped', async () => {
    const logs = service(2048);
    const hundred = (n: number) => `${String(n).padStart(4, '0')} ${'x'.repeat(95)}`; // 100 bytes
    await logs.append(runId, 'loud', range(1, 15, hundred));
    await logs.append(runId, 'loud', range(16, 30, hundred));
    await logs.append(runId, 'loud', range(31, 40, hundred));
    const stored = await logs.read(runId, 'loud', 0, 1000);
    assert.deepEqual(
      numbersOf(stored),
      range(1, 21).map((l) => l.n),
      '20 lines fit, the 21st is the marker',
    );
    assert.deepEqual(stored.at(-1), {
      n: 21,
      t: 1021,
      stream: 'system',
      text: '[slipway] log truncated at 2 KiB',
    });
    // After a restart the cap still holds (state seeded from the database).
    await service(2048).append(runId, 'loud', range(41, 45, hundred));
    assert.equal((await logs.read(runId, 'loud', 0, 1000)).length, 21);
  });

  test('the cap counts UTF-8 bytes and continues after a restart', async () => {
    const wide = 'é'.repeat(300); // 600 bytes
    await service(2048).append(runId, 'wide', [line(1, wide), line(2, wide)]);
    await service(2048).append(runId, 'wide', [line(3, wide), line(4, wide)]);
    const stored = await service(2048).read(runId, 'wide', 0, 10);
    assert.deepEqual(numbersOf(stored), [1, 2, 3, 4]);
    assert.equal(stored[3]?.stream, 'system');
  });

  test('subscribers get each committed batch once; unsubscribe stops them', async () => {
    const logs = service();
    const got: number[][] = [];
    const off = logs.subscribe(runId, 'live', (lines) => got.push(numbersOf(lines)));
    let other = 0;
    const offOther = logs.subscribe(runId, 'elsewhere', () => other++);
    await logs.append(runId, 'live', range(1, 3));
    await logs.append(runId, 'live', range(2, 5));
    await logs.append(runId, 'live', range(1, 5));
    off();
    await logs.append(runId, 'live', range(6, 7));
    offOther();
    assert.deepEqual(got, [
      [1, 2, 3],
      [4, 5],
    ]);
    assert.equal(other, 0);
  });

  test('a throwing subscriber does not fail the append or starve the others', async () => {
    const logs = service();
    let calls = 0;
    logs.subscribe(runId, 'throws', () => {
      throw new Error('socket closed');
    });
    logs.subscribe(runId, 'throws', () => calls++);
    await logs.append(runId, 'throws', range(1, 2));
    assert.equal(calls, 1);
  });

  test("a later attempt's lines, numbered from 1 again, go after the earlier attempt's (also after a restart)", async () => {
    const logs = service();
    await logs.append(
      runId,
      'again',
      range(1, 5, (n) => `first ${n}`),
      1,
    );
    // The new attempt's agent starts at 1; its retried first batch adds nothing twice.
    await logs.append(
      runId,
      'again',
      range(1, 3, (n) => `second ${n}`),
      2,
    );
    await logs.append(
      runId,
      'again',
      range(1, 3, (n) => `second ${n}`),
      2,
    );
    // A restarted server (nothing in memory) places the rest of attempt 2 the same way.
    await service().append(
      runId,
      'again',
      range(4, 6, (n) => `second ${n}`),
      2,
    );
    // The lost attempt's late lines are not wanted any more.
    await service().append(
      runId,
      'again',
      range(6, 9, (n) => `first ${n}`),
      1,
    );
    const stored = await logs.read(runId, 'again', 0, 100);
    assert.deepEqual(
      numbersOf(stored),
      range(1, 12).map((l) => l.n),
    );
    assert.deepEqual(
      stored.map((l) => l.text),
      [
        ...range(1, 5).map((l) => `first ${l.n}`),
        "[slipway] attempt 2: the run was re-queued after its agent was lost; this attempt's output follows",
        ...range(1, 6).map((l) => `second ${l.n}`),
      ],
    );
    assert.equal(stored[5]?.stream, 'system');
  });

  test('the cap applies per attempt: a new attempt after a truncated one is stored', async () => {
    const text = 'x'.repeat(600);
    await service(1024).append(runId, 'capped', [line(1, text), line(2, text), line(3, text)], 1);
    await service(1024).append(runId, 'capped', [line(1, text)], 2);
    const stored = await service(1024).read(runId, 'capped', 0, 10);
    assert.deepEqual(
      stored.map((l) => [l.n, l.stream]),
      [
        [1, 'stdout'],
        [2, 'system'],
        [3, 'system'],
        [4, 'stdout'],
      ],
    );
  });

  test('a job with too many batches waiting refuses more (503, retried by the agent) instead of queueing them', async () => {
    const logs = service();
    const sent = Array.from({ length: 20 }, (_, i) =>
      logs.append(runId, 'queued', range(i * 10 + 1, i * 10 + 10)),
    );
    const results = await Promise.allSettled(sent);
    const refused = results.filter((r) => r.status === 'rejected');
    assert.ok(refused.length > 0, 'some were refused');
    for (const r of refused) assert.equal((r.reason as { code?: string }).code, 'unavailable');
    const stored = await logs.read(runId, 'queued', 0, 1000);
    assert.equal(stored.length, (results.length - refused.length) * 10);
  });
});
