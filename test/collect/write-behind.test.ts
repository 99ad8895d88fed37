/** The bounded write-behind buffer of the collect endpoint: batches, a full buffer refuses, close writes the rest. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WriteBehind } from '../../src/server/collect/write-behind.js';

test('batches of batchSize, refuses beyond capacity while the writer is slow, close flushes the rest', async () => {
  const batches: number[][] = [];
  let release: () => void = () => {};
  let gate = new Promise<void>((r) => {
    release = r;
  });
  const buffer = new WriteBehind<number>({
    capacity: 5,
    batchSize: 2,
    flushMs: 60_000,
    write: async (batch) => {
      await gate;
      batches.push(batch);
    },
    onError: () => assert.fail('no write fails here'),
  });
  assert.deepEqual(
    [1, 2, 3, 4, 5].map((n) => buffer.offer(n)),
    [true, true, true, true, true],
  );
  // Five are waiting or being written: the sixth is refused (the endpoint answers 503).
  assert.equal(buffer.offer(6), false);
  assert.equal(buffer.size, 5);
  release();
  gate = Promise.resolve();
  await buffer.close();
  assert.deepEqual(batches, [[1, 2], [3, 4], [5]]);
  assert.equal(buffer.size, 0);
  assert.equal(buffer.offer(7), false, 'closed');
});

test('a failed batch is reported with its size and later batches still go through', async () => {
  const lost: number[] = [];
  let calls = 0;
  const buffer = new WriteBehind<number>({
    capacity: 10,
    batchSize: 2,
    write: async () => {
      calls++;
      if (calls === 1) throw new Error('disk full');
    },
    onError: (_e, n) => lost.push(n),
  });
  for (const n of [1, 2, 3]) buffer.offer(n);
  await buffer.close();
  assert.deepEqual(lost, [2]);
  assert.equal(calls, 2);
});
