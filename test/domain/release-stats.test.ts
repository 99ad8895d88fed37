import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compareTraffic,
  histogramPercentile,
  judgeCanary,
  LATENCY_BUCKETS,
  latencyBucket,
  normalCdf,
  rankTestFromHistograms,
  type TrafficSample,
  twoProportionTest,
} from '../../src/domain/release-stats.js';

function histogram(latencies: number[]): number[] {
  const counts = new Array<number>(LATENCY_BUCKETS).fill(0);
  for (const ms of latencies) counts[latencyBucket(ms)] = (counts[latencyBucket(ms)] ?? 0) + 1;
  return counts;
}

/** A sample of n requests, `errors` of them failed, all latencies in one bucket around `ms`. */
function sample(n: number, errors: number, ms: number): TrafficSample {
  return { requests: n, errors, latency: histogram(new Array<number>(n).fill(ms)) };
}

/** Mann–Whitney U of b against a by definition (pairs), for checking the histogram version. */
function bruteU(a: number[], b: number[]): number {
  let u = 0;
  for (const y of b) for (const x of a) u += y > x ? 1 : y === x ? 0.5 : 0;
  return u;
}

describe('release statistics', () => {
  it('the normal CDF matches known quantiles', () => {
    assert.ok(Math.abs(normalCdf(0) - 0.5) < 1e-7);
    assert.ok(Math.abs(normalCdf(1.959964) - 0.975) < 1e-6);
    assert.ok(Math.abs(normalCdf(-2.575829) - 0.005) < 1e-6);
  });

  it('the two-proportion test gives the textbook z for 1 % vs 3 % of 1000', () => {
    const r = twoProportionTest(10, 1000, 30, 1000);
    assert.ok(Math.abs(r.z - 3.1944) < 1e-3, `z=${r.z}`);
    assert.ok(r.pValue > 0.001 && r.pValue < 0.002, `p=${r.pValue}`);
    assert.equal(twoProportionTest(0, 0, 5, 10).pValue, 1);
  });

  it('the rank test from histograms agrees with U counted pair by pair (ties by bucket)', () => {
    const a = [1, 3, 3, 7, 15, 40, 40, 120, 300];
    const b = [3, 8, 18, 45, 45, 130, 700, 700, 1500, 2500];
    // In bucket terms every latency is its bucket index.
    const u = bruteU(a.map(latencyBucket), b.map(latencyBucket));
    const r = rankTestFromHistograms(histogram(a), histogram(b));
    assert.equal(r.u, u);
    assert.ok(r.z > 0, 'b is slower');
    const same = rankTestFromHistograms(histogram(a), histogram(a));
    assert.equal(same.z, 0);
  });

  it('percentiles interpolate inside buckets', () => {
    const h = histogram([...new Array<number>(50).fill(15), ...new Array<number>(50).fill(150)]);
    const p50 = histogramPercentile(h, 0.5);
    const p95 = histogramPercentile(h, 0.95);
    assert.ok(p50 !== null && p50 > 10 && p50 <= 20, `p50=${p50}`);
    assert.ok(p95 !== null && p95 > 100 && p95 <= 200, `p95=${p95}`);
    assert.equal(histogramPercentile(histogram([]), 0.5), null);
  });

  it('verdicts: no change, worse on errors, better on latency, not enough data', () => {
    assert.equal(compareTraffic(sample(2000, 10, 30), sample(2000, 12, 30)).verdict, 'no_change');
    assert.equal(compareTraffic(sample(2000, 10, 30), sample(2000, 400, 30)).verdict, 'worse');
    assert.equal(compareTraffic(sample(2000, 0, 400), sample(2000, 0, 30)).verdict, 'better');
    assert.equal(compareTraffic(sample(50, 0, 30), sample(2000, 400, 30)).verdict, 'not_enough_data');
  });

  it('a canary waits for its minimum, fails on 20 % errors against a healthy stable, passes when equal', () => {
    const stable = sample(1000, 1, 20);
    assert.equal(judgeCanary(stable, sample(40, 8, 20), { minRequests: 100 }).outcome, 'wait');
    const bad = judgeCanary(stable, sample(200, 40, 20), { minRequests: 100 });
    assert.equal(bad.outcome, 'fail');
    assert.equal(bad.outcome === 'fail' && bad.reason, 'worse_than_stable');
    const limited = judgeCanary(stable, sample(200, 40, 20), { minRequests: 100, maxErrorRate: 0.05 });
    assert.equal(limited.outcome === 'fail' && limited.reason, 'error_rate_limit');
    assert.equal(judgeCanary(stable, sample(200, 0, 20), { minRequests: 100 }).outcome, 'pass');
    // A cold canary a few milliseconds slower than a warm stable is not a failure…
    assert.equal(judgeCanary(sample(1000, 0, 4), sample(400, 0, 7), { minRequests: 100 }).outcome, 'pass');
    // …a clearly slower one is.
    const slower = judgeCanary(sample(1000, 0, 15), sample(400, 0, 150), { minRequests: 100 });
    assert.equal(slower.outcome === 'fail' && slower.reason, 'worse_than_stable');
    const slow = judgeCanary(stable, sample(200, 0, 800), { minRequests: 100, maxP95Ms: 500 });
    assert.equal(slow.outcome === 'fail' && slow.reason, 'p95_limit');
  });
});
