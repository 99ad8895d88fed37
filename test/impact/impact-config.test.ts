/**
 * The small rules behind the impact card: window syntax and precedence, the timeline step, the
 * card cache's bound, and how a stored minute adds to a sample.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { impactConfigOf, impactSettings, parseWindow } from '../../src/api/impact-config.js';
import { ImpactCardCache } from '../../src/server/impact/impact-card-cache.js';
import { MAX_POINTS, stepFor } from '../../src/server/impact/impact-timeline.js';
import { addMinute, emptyTraffic, parseHistogram } from '../../src/server/impact/traffic-window.js';

const MIN = 60_000;

describe('impact settings and helpers', () => {
  test('a window is whole minutes between 1m and 24h', () => {
    assert.equal(parseWindow('30m'), 30 * MIN);
    assert.equal(parseWindow('1h30m'), 90 * MIN);
    assert.equal(parseWindow('24h'), 24 * 60 * MIN);
    for (const bad of ['90s', '0m', '25h', 'soon', '', '1.5m']) assert.equal(parseWindow(bad), null, bad);
  });

  test('request over environment over default, value by value, and says which', () => {
    assert.deepEqual(impactSettings(undefined, {}), {
      windowMs: 30 * MIN,
      minRequests: 100,
      source: { window: 'default', minRequests: 'default' },
    });
    assert.deepEqual(impactSettings({ window: '10m', min_requests: 20 }, { minRequests: 5 }), {
      windowMs: 10 * MIN,
      minRequests: 5,
      source: { window: 'environment', minRequests: 'request' },
    });
    assert.equal(impactSettings({ window: '10m' }, { window: '2h' }).windowMs, 120 * MIN);
    assert.deepEqual(impactConfigOf('{"impact":{"window":"5m"}}'), { window: '5m' });
    assert.equal(impactConfigOf('{"impact":{"window":"5s"}}'), undefined);
    assert.equal(impactConfigOf('not json'), undefined);
  });

  test('the timeline step keeps at most MAX_POINTS points and is whole minutes', () => {
    assert.equal(stepFor(0, 60 * MIN, null), MIN);
    assert.equal(stepFor(0, 60 * MIN, 5 * MIN), 5 * MIN);
    assert.equal(stepFor(0, 60 * MIN, 90_000), 2 * MIN);
    const month = 30 * 24 * 60 * MIN;
    assert.ok(month / stepFor(0, month, MIN) <= MAX_POINTS);
  });

  test('the card cache is bounded and evicts the least recently used', () => {
    const cache = new ImpactCardCache(2);
    cache.set('a', 1);
    cache.set('b', 2);
    assert.equal(cache.get('a'), 1);
    cache.set('c', 3);
    assert.equal(cache.get('b'), undefined);
    assert.equal(cache.get('a'), 1);
    assert.equal(cache.size, 2);
  });

  test('a stored minute adds 5xx and proxy errors; a damaged histogram counts as empty', () => {
    const sample = emptyTraffic();
    addMinute(sample, {
      minute: 0,
      requests: 10,
      status_4xx: 2,
      status_5xx: 1,
      proxy_errors: 1,
      latency_counts: '[0,0,3,7]',
    });
    addMinute(sample, {
      minute: 60_000,
      requests: 5,
      status_4xx: 0,
      status_5xx: 0,
      proxy_errors: 0,
      latency_counts: '{',
    });
    assert.equal(sample.requests, 15);
    assert.equal(sample.errors, 2);
    assert.equal(sample.status4xx, 2);
    assert.deepEqual(sample.latency.slice(0, 4), [0, 0, 3, 7]);
    assert.deepEqual(parseHistogram('[1,-2,"x"]'), [1, 0, 0]);
  });
});
