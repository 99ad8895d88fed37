/** JobLogStream: batches, live lines, backpressure from a full socket, and the end of a job. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LogLine } from '../../src/domain/log-line.js';
import type { SseStream } from '../../src/server/http/sse.js';
import { JobLogStream } from '../../src/server/logs/job-log-stream.js';
import type { LogService } from '../../src/server/services.js';

/** An in-memory log of one job, with counted reads. */
function memoryLogs() {
  const lines: LogLine[] = [];
  const listeners = new Set<(lines: LogLine[]) => void>();
  const logs: LogService & { lines: LogLine[]; reads: number; add(count: number): void } = {
    lines,
    reads: 0,
    async append() {},
    async read(_run, _job, after, limit) {
      logs.reads++;
      return lines.filter((l) => l.n > after).slice(0, limit);
    },
    subscribe(_run, _job, listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    add(count) {
      const start = lines.length + 1;
      const batch = Array.from({ length: count }, (_, i) => ({
        n: start + i,
        t: 0,
        stream: 'stdout' as const,
        text: `l${start + i}`,
      }));
      lines.push(...batch);
      for (const listener of [...listeners]) listener(batch);
    },
  };
  return logs;
}

/** An SSE stream whose socket is "full" while `full` is set. */
function fakeSse() {
  const sent: { event: string; id?: string; data: string }[] = [];
  let drain: (() => void) | null = null;
  const closers: (() => void)[] = [];
  const sse: SseStream & { sent: typeof sent; full: boolean; drain(): void } = {
    sent,
    full: false,
    closed: false,
    buffered: 0,
    send(event, data, id) {
      sent.push({ event, data, ...(id !== undefined ? { id } : {}) });
      return !sse.full;
    },
    comment: () => true,
    onDrain(listener) {
      drain = listener;
    },
    onClose(listener) {
      closers.push(listener);
    },
    close() {
      (sse as { closed: boolean }).closed = true;
      for (const c of closers.splice(0)) c();
    },
    drain() {
      sse.full = false;
      const d = drain;
      drain = null;
      d?.();
    },
  };
  return sse;
}

const settle = () => new Promise((r) => setTimeout(r, 10));
const numbers = (sent: { event: string; data: string }[]) =>
  sent.filter((e) => e.event === 'lines').flatMap((e) => (JSON.parse(e.data) as LogLine[]).map((l) => l.n));

describe('JobLogStream', () => {
  test('catches up in batches with the last line number as id, then follows live', async () => {
    const logs = memoryLogs();
    logs.add(9000);
    const sse = fakeSse();
    new JobLogStream({ logs, runId: 'r', job: 'j', after: 0, sse, isJobDone: async () => false }).start();
    await settle();
    // Batches of up to 4000 lines: about one stored chunk each.
    assert.deepEqual(
      sse.sent.map((e) => e.id),
      ['4000', '8000', '9000'],
    );
    const readsBefore = logs.reads;
    logs.add(3);
    assert.equal(sse.sent.at(-1)?.id, '9003');
    assert.equal(logs.reads, readsBefore, 'a live batch that follows on is written without a read');
    assert.deepEqual(
      numbers(sse.sent),
      Array.from({ length: 9003 }, (_, i) => i + 1),
    );
  });

  test('resumes after the given line', async () => {
    const logs = memoryLogs();
    logs.add(10);
    const sse = fakeSse();
    new JobLogStream({ logs, runId: 'r', job: 'j', after: 7, sse, isJobDone: async () => false }).start();
    await settle();
    assert.deepEqual(numbers(sse.sent), [8, 9, 10]);
  });

  test('a full socket stops the writing; lines meanwhile come from the database after drain', async () => {
    const logs = memoryLogs();
    logs.add(1500);
    const sse = fakeSse();
    sse.full = true;
    new JobLogStream({ logs, runId: 'r', job: 'j', after: 0, sse, isJobDone: async () => false }).start();
    await settle();
    assert.equal(sse.sent.length, 1, 'one batch, then it waits');
    for (let i = 0; i < 50; i++) logs.add(100);
    await settle();
    assert.equal(sse.sent.length, 1, 'live batches are not queued while the client is behind');

    sse.drain();
    await settle();
    assert.deepEqual(
      numbers(sse.sent),
      Array.from({ length: 6500 }, (_, i) => i + 1),
      'no gap, no duplicate',
    );
  });

  test('ends with `end` once the job is done and every line was sent', async () => {
    const logs = memoryLogs();
    logs.add(5);
    let done = false;
    const sse = fakeSse();
    const stream = new JobLogStream({
      logs,
      runId: 'r',
      job: 'j',
      after: 0,
      sse,
      isJobDone: async () => done,
    });
    stream.start();
    await settle();
    assert.equal(sse.closed, false);
    logs.add(2);
    done = true;
    stream.kick();
    await settle();
    assert.deepEqual(numbers(sse.sent), [1, 2, 3, 4, 5, 6, 7]);
    assert.equal(sse.sent.at(-1)?.event, 'end');
    assert.equal(sse.closed, true);
  });

  test('stops reading once the client is gone', async () => {
    const logs = memoryLogs();
    const sse = fakeSse();
    new JobLogStream({ logs, runId: 'r', job: 'j', after: 0, sse, isJobDone: async () => false }).start();
    await settle();
    sse.close();
    logs.add(5);
    await settle();
    assert.deepEqual(numbers(sse.sent), []);
  });
});
