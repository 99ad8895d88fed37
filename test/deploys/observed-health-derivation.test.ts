import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deriveObservedHealth } from '../../src/server/deploys/observed-health.js';

const now = 1_000_000;
const stale = 60_000;
const at = (ago: number, running: number, healthy: number, desired: number) => ({
  at: now - ago,
  running,
  healthy,
  desired,
});

test('every desired replica healthy → healthy', () => {
  assert.equal(deriveObservedHealth(at(0, 3, 3, 3), now, stale), 'healthy');
  assert.equal(deriveObservedHealth(at(stale, 1, 1, 1), now, stale), 'healthy', 'exactly at the window');
});

test('some replicas running or healthy, not all → degraded', () => {
  assert.equal(deriveObservedHealth(at(0, 3, 2, 3), now, stale), 'degraded');
  assert.equal(deriveObservedHealth(at(0, 2, 2, 3), now, stale), 'degraded');
  assert.equal(deriveObservedHealth(at(0, 1, 0, 1), now, stale), 'degraded', 'running but not healthy yet');
});

test('nothing running → down', () => {
  assert.equal(deriveObservedHealth(at(0, 0, 0, 2), now, stale), 'down');
  assert.equal(deriveObservedHealth(at(0, 0, 0, 0), now, stale), 'down', 'gone from the engine');
});

test('no report within the window → unknown, whatever it said', () => {
  assert.equal(deriveObservedHealth(at(stale + 1, 3, 3, 3), now, stale), 'unknown');
  assert.equal(deriveObservedHealth(at(stale + 1, 0, 0, 1), now, stale), 'unknown');
});
