/** How the agent reports a run: order, batching, cancel and a lease that is gone. */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { LeaseReporter } from '../../src/agent/lease-reporter.js';
import type { LogLine } from '../../src/domain/log-line.js';
import type { JobResultMessage, LogBatchMessage } from '../../src/protocol/agent-protocol.js';
import { type AgentTransport, LeaseGoneError } from '../../src/protocol/agent-transport.js';

type Sent =
  | { kind: 'logs'; batch: LogBatchMessage }
  | { kind: 'job'; update: JobResultMessage }
  | { kind: 'heartbeat' };

/** Records calls; each takes `delayMs`; `answer` decides the reply (or throws). */
function fakeTransport(delayMs = 0, answer: (sent: Sent) => { cancel: boolean } = () => ({ cancel: false })) {
  const sent: Sent[] = [];
  const reply = async (s: Sent) => {
    sent.push(s);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    return answer(s);
  };
  const transport: AgentTransport = {
    lease: async () => null,
    heartbeat: () => reply({ kind: 'heartbeat' }),
    jobUpdate: (_lease, update) => reply({ kind: 'job', update }),
    logs: (_lease, batch) => reply({ kind: 'logs', batch }),
    source: async () => Readable.from([]),
    finish: async () => {},
  };
  return { transport, sent };
}

const line = (n: number): LogLine => ({ n, t: n, stream: 'stdout', text: `line ${n}` });
const update = (name: string, status: JobResultMessage['status']): JobResultMessage => ({
  name,
  stage: 's',
  status,
  allowFailure: false,
  failure: null,
  skip: null,
  exitCode: null,
  startedAt: null,
  finishedAt: null,
});

function reporter(
  transport: AgentTransport,
  extra: Partial<ConstructorParameters<typeof LeaseReporter>[0]> = {},
) {
  const events: string[] = [];
  const r = new LeaseReporter({
    transport,
    leaseId: 'L',
    onCancel: () => events.push('cancel'),
    onGone: () => events.push('gone'),
    log: (m) => events.push(`log: ${m}`),
    flushMs: 20,
    ...extra,
  });
  return { r, events };
}

test("sends every line once, in order per job, and a job's lines before its final update", async () => {
  const { transport, sent } = fakeTransport(2);
  const { r } = reporter(transport, { maxLines: 50 });
  r.job(update('a', 'running'));
  r.job(update('b', 'running'));
  for (let n = 1; n <= 400; n++) {
    r.line('a', line(n));
    if (n % 2 === 0) r.line('b', line(n / 2));
    if (n % 97 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
  }
  r.job(update('a', 'succeeded'));
  r.job(update('b', 'failed'));
  await r.close();

  for (const [job, count] of [
    ['a', 400],
    ['b', 200],
  ] as const) {
    const lines = sent.flatMap((s) =>
      s.kind === 'logs' && s.batch.job === job ? s.batch.lines.map((l) => l.n) : [],
    );
    assert.deepEqual(
      lines,
      Array.from({ length: count }, (_, i) => i + 1),
      `${job}: all lines, in order, none twice`,
    );
    const lastLines = sent.map((s) => s.kind === 'logs' && s.batch.job === job).lastIndexOf(true);
    const final = sent.findIndex(
      (s) => s.kind === 'job' && s.update.name === job && s.update.status !== 'running',
    );
    assert.ok(lastLines < final, `${job}: lines before the final update`);
  }
  const batches = sent.filter((s) => s.kind === 'logs');
  assert.ok(
    batches.every((s) => s.kind === 'logs' && s.batch.lines.length <= 50),
    'batches respect maxLines',
  );
  assert.ok(batches.length < 600 / 10, `lines travel in batches (${batches.length} calls for 600 lines)`);
});

test('lines wait at most about flushMs before they are sent', async () => {
  const { transport, sent } = fakeTransport();
  const { r } = reporter(transport);
  r.line('a', line(1));
  assert.equal(sent.length, 0);
  await new Promise((resolve) => setTimeout(resolve, 80));
  assert.deepEqual(
    sent.map((s) => s.kind),
    ['logs'],
  );
  await r.close();
});

test('a batch also leaves when it reaches its byte budget', async () => {
  const { transport, sent } = fakeTransport();
  const { r } = reporter(transport, { maxBytes: 2000, flushMs: 10_000 });
  for (let n = 1; n <= 3; n++) r.line('a', { ...line(n), text: 'x'.repeat(900) });
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(sent.length >= 1, 'sent without waiting for the timer');
  await r.close();
  assert.deepEqual(
    sent.flatMap((s) => (s.kind === 'logs' ? s.batch.lines.map((l) => l.n) : [])),
    [1, 2, 3],
  );
});

test('a cancel answer is passed on', async () => {
  const { transport } = fakeTransport(0, (s) => ({ cancel: s.kind === 'heartbeat' }));
  const { r, events } = reporter(transport);
  r.job(update('a', 'running'));
  await r.close();
  assert.deepEqual(events, []);
  await r.heartbeat();
  assert.deepEqual(events, ['cancel']);
});

test('when the lease is gone, reporting stops and nothing more is sent', async () => {
  let calls = 0;
  const { transport, sent } = fakeTransport(0, () => {
    calls++;
    if (calls >= 2) throw new LeaseGoneError('lease L not found');
    return { cancel: false };
  });
  const { r, events } = reporter(transport);
  r.job(update('a', 'running'));
  r.job(update('a', 'succeeded'));
  r.job(update('b', 'running'));
  r.line('b', line(1));
  await r.close();
  assert.deepEqual(events, ['gone']);
  assert.equal(sent.length, 2);
  assert.equal(r.isGone, true);
  r.line('b', line(2));
  r.job(update('b', 'succeeded'));
  await r.heartbeat();
  await r.close();
  assert.equal(sent.length, 2);
});

test('other errors are logged and reporting goes on', async () => {
  let failed = false;
  const { transport, sent } = fakeTransport(0, (s) => {
    if (!failed && s.kind === 'job') {
      failed = true;
      throw new Error('HTTP 500');
    }
    return { cancel: false };
  });
  const { r, events } = reporter(transport);
  r.job(update('a', 'running'));
  r.job(update('a', 'succeeded'));
  await r.close();
  assert.equal(sent.length, 2);
  assert.deepEqual(events, ['log: report to the server failed: HTTP 500']);
});
