/** The pure rules under the insights: stage split with manual waits, segments, bands, quantiles, weeks. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  failureRateBand,
  frequencyBand,
  leadTimeBand,
  overallBand,
  recoveryBand,
} from '../../src/server/insights/dora-bands.js';
import { splitPipelineWindow } from '../../src/server/insights/stage-split.js';
import { parseSince, quantile, weekStart } from '../../src/server/insights/time-math.js';
import { changeSegments } from '../../src/server/insights/value-stream.js';

const MIN = 60_000;
const job = (stage: string, index: number, from: number, to: number, manual = 0) => ({
  stage,
  stage_index: index,
  manual,
  started_at: from * MIN,
  finished_at: to * MIN,
});

test('the pause before a manual stage is a manual wait; other gaps belong to their stage', () => {
  const split = splitPipelineWindow(
    [job('build', 0, 1, 5), job('test', 1, 6, 9), job('test', 1, 6, 10), job('ship', 2, 40, 45, 1)],
    0,
    50 * MIN,
  );
  assert.deepEqual(split, {
    stages: [
      { stage: 'build', ms: 5 * MIN },
      { stage: 'test', ms: 5 * MIN },
      { stage: 'ship', ms: 10 * MIN },
    ],
    manualWaitMs: 30 * MIN,
  });
});

test('segments add up to the lead time even when moments are missing or out of order', () => {
  const timeline = {
    run_created_at: 10 * MIN,
    run_started_at: 8 * MIN, // before its creation (clock skew): clipped
    pipeline_end_at: 30 * MIN,
    approved_at: null,
    created_at: 40 * MIN,
    ended_at: 45 * MIN,
    stages: [{ stage: 'build', ms: 20 * MIN }],
    manual_wait_ms: 0,
  };
  const s = changeSegments(0, null, timeline);
  assert.equal(
    Object.values(s).reduce((a, b) => a + b, 0),
    45 * MIN,
  );
  assert.deepEqual(
    [s.commit_to_push, s.queue, s['stage:build'], s.promotion_wait, s.rollout],
    [10 * MIN, 0, 20 * MIN, 10 * MIN, 5 * MIN],
  );
});

test('DORA 2024 cut points, and the overall band is the weakest', () => {
  const day = 86_400_000;
  assert.equal(frequencyBand(0, 30 * day), null);
  assert.equal(frequencyBand(30, 30 * day), 'elite');
  assert.equal(frequencyBand(5, 30 * day), 'high');
  assert.equal(frequencyBand(1, 30 * day), 'medium');
  assert.equal(frequencyBand(1, 90 * day), 'low');
  assert.deepEqual(
    [leadTimeBand(day - 1), leadTimeBand(day), leadTimeBand(8 * day), leadTimeBand(31 * day)],
    ['elite', 'high', 'medium', 'low'],
  );
  assert.deepEqual(
    [failureRateBand(0.05), failureRateBand(0.2), failureRateBand(0.39), failureRateBand(0.4)],
    ['elite', 'high', 'medium', 'low'],
  );
  assert.deepEqual(
    [recoveryBand(59 * MIN), recoveryBand(2 * 3_600_000), recoveryBand(2 * day), recoveryBand(8 * day)],
    ['elite', 'high', 'medium', 'low'],
  );
  assert.equal(overallBand(['elite', null, 'medium', 'high']), 'medium');
  assert.equal(overallBand([null, null]), null);
});

test('quantiles interpolate; weeks start on Monday 00:00 UTC; since parses', () => {
  assert.equal(quantile([1, 3], 0.5), 2);
  assert.equal(quantile([], 0.5), null);
  assert.equal(quantile([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 0.9), 91);
  assert.equal(new Date(weekStart(Date.UTC(2026, 11, 6, 23))).toISOString(), '2026-11-30T00:00:00.000Z');
  assert.equal(new Date(weekStart(Date.UTC(2026, 10, 30))).toISOString(), '2026-11-30T00:00:00.000Z');
  assert.equal(parseSince('30d'), 30 * 86_400_000);
  assert.equal(parseSince('a week'), null);
});
