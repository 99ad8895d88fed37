/**
 * The chart spec helpers (web/src/components/chart/chart-spec.ts): stacked bars drawn as
 * overlapping sums keep each series' own value for the legend and table, gaps stay gaps, and
 * values and x positions read the way the data table shows them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatValue, formatX, stackedValues } from '../../web/src/components/chart/chart-spec.js';

test('stacked values: series i carries the sum of i..n, so the first series is the tallest bar', () => {
  const sums = stackedValues([
    { label: 'queue', values: [1, 0, null, 2] },
    { label: 'build', values: [2, 3, null, null] },
    { label: 'rollout', values: [0.5, 1, null, 4] },
  ]);
  assert.deepEqual(sums, [
    [3.5, 4, null, 6],
    [2.5, 4, null, 4],
    [0.5, 1, null, 4],
  ]);
});

test('stacked values of series of different lengths fill the missing tail with gaps', () => {
  assert.deepEqual(
    stackedValues([
      { label: 'a', values: [1] },
      { label: 'b', values: [1, 2] },
    ]),
    [
      [2, 2],
      [1, 2],
    ],
  );
  assert.deepEqual(stackedValues([]), []);
});

test('values read as integers, one decimal, a dash for no value, or the spec’s own format', () => {
  assert.equal(formatValue({}, 8), '8');
  assert.equal(formatValue({}, 2.14), '2.1');
  assert.equal(formatValue({}, null), '–');
  assert.equal(formatValue({}, Number.NaN), '–');
  assert.equal(formatValue({ format: (v) => `${v.toFixed(2)}%` }, 0.5), '0.50%');
});

test('x positions read as their category label, or as a date in the page language', () => {
  const weeks = { kind: 'category' as const, labels: ['11-02', '11-09'] };
  assert.equal(formatX(weeks, 1, 'en'), '11-09');
  assert.equal(formatX(weeks, 5, 'en'), '');
  const at = Date.UTC(2026, 10, 16, 12, 0);
  const times = { kind: 'time' as const, values: [at] };
  assert.match(formatX(times, at, 'en', false), /Nov 1[67]/);
  assert.match(formatX(times, at, 'zh-CN', false), /11月1[67]日/);
});
