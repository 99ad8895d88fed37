/**
 * The statistics behind release impact and canary analysis (issue #13): pure functions over
 * counters, shared by the server's impact card and the canary judge so both say the same thing.
 *
 * Error rates are compared with a two-proportion z-test; latency with a Mann–Whitney rank test
 * computed from latency histograms (every request in a bucket shares the bucket's mid rank, the
 * usual tie correction applies) — the pair Kayenta-style canary judges use. A verdict needs a
 * minimum sample on both sides and a difference that is both significant and large enough to
 * matter, so a thousand requests with one more error are "no change", not "worse".
 */

/** Upper bounds (ms) of the latency buckets; one more open-ended bucket follows the last. */
export const LATENCY_BOUNDS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000] as const;
/** Number of latency buckets (the bounds plus the open-ended one). */
export const LATENCY_BUCKETS = LATENCY_BOUNDS_MS.length + 1;

/** The bucket index a latency falls in. */
export function latencyBucket(ms: number): number {
  for (let i = 0; i < LATENCY_BOUNDS_MS.length; i++) {
    if (ms <= (LATENCY_BOUNDS_MS[i] as number)) return i;
  }
  return LATENCY_BOUNDS_MS.length;
}

/** Element-wise sum of histograms (missing entries count as 0). */
export function addHistograms(a: readonly number[], b: readonly number[]): number[] {
  const out = new Array<number>(LATENCY_BUCKETS).fill(0);
  for (let i = 0; i < LATENCY_BUCKETS; i++) out[i] = (a[i] ?? 0) + (b[i] ?? 0);
  return out;
}

/**
 * The p-th percentile (0 < p < 1) of a latency histogram, interpolated linearly inside its
 * bucket; the open-ended bucket answers its lower bound. Null for an empty histogram.
 */
export function histogramPercentile(counts: readonly number[], p: number): number | null {
  const total = counts.reduce((s, c) => s + c, 0);
  if (total === 0) return null;
  const target = p * total;
  let seen = 0;
  for (let i = 0; i < LATENCY_BUCKETS; i++) {
    const c = counts[i] ?? 0;
    if (c > 0 && seen + c >= target) {
      const lower = i === 0 ? 0 : (LATENCY_BOUNDS_MS[i - 1] as number);
      const upper = i < LATENCY_BOUNDS_MS.length ? (LATENCY_BOUNDS_MS[i] as number) : lower;
      return lower + ((target - seen) / c) * (upper - lower);
    }
    seen += c;
  }
  return LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1] as number;
}

/** Standard normal cumulative distribution (Abramowitz–Stegun 26.2.17, |error| < 7.5e-8). */
export function normalCdf(z: number): number {
  if (!Number.isFinite(z)) return z > 0 ? 1 : 0;
  const t = 1 / (1 + 0.2316419 * Math.abs(z));
  const poly =
    t * (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  const tail = (Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI)) * poly;
  return z >= 0 ? 1 - tail : tail;
}

export interface TestResult {
  /** Positive when the second sample is larger (more errors, slower). */
  z: number;
  /** Two-sided p-value. */
  pValue: number;
}

/** Two-proportion z-test of errorsB/nB against errorsA/nA (pooled variance). */
export function twoProportionTest(errorsA: number, nA: number, errorsB: number, nB: number): TestResult {
  if (nA === 0 || nB === 0) return { z: 0, pValue: 1 };
  const pooled = (errorsA + errorsB) / (nA + nB);
  const variance = pooled * (1 - pooled) * (1 / nA + 1 / nB);
  if (variance === 0) return { z: 0, pValue: 1 };
  const z = (errorsB / nB - errorsA / nA) / Math.sqrt(variance);
  return { z, pValue: 2 * (1 - normalCdf(Math.abs(z))) };
}

/**
 * Mann–Whitney U test of histogram B against histogram A (normal approximation with tie
 * correction). z > 0: B's latencies tend to be larger.
 */
export function rankTestFromHistograms(
  a: readonly number[],
  b: readonly number[],
): TestResult & { u: number } {
  const nA = a.reduce((s, c) => s + c, 0);
  const nB = b.reduce((s, c) => s + c, 0);
  if (nA === 0 || nB === 0) return { z: 0, pValue: 1, u: 0 };
  const n = nA + nB;
  let below = 0;
  let rankSumB = 0;
  let tieTerm = 0;
  for (let i = 0; i < LATENCY_BUCKETS; i++) {
    const ca = a[i] ?? 0;
    const cb = b[i] ?? 0;
    const t = ca + cb;
    if (t === 0) continue;
    const midRank = below + (t + 1) / 2;
    rankSumB += cb * midRank;
    tieTerm += t * t * t - t;
    below += t;
  }
  const u = rankSumB - (nB * (nB + 1)) / 2;
  const mean = (nA * nB) / 2;
  const variance = ((nA * nB) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance <= 0) return { z: 0, pValue: 1, u };
  const z = (u - mean) / Math.sqrt(variance);
  return { z, pValue: 2 * (1 - normalCdf(Math.abs(z))), u };
}

/** Traffic of one side of a comparison (a time window, or a version during a canary). */
export interface TrafficSample {
  requests: number;
  /** 5xx answers plus requests the proxy could not deliver. */
  errors: number;
  latency: readonly number[];
}

export interface SideSummary {
  requests: number;
  errorRate: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export function summarise(sample: TrafficSample): SideSummary {
  return {
    requests: sample.requests,
    errorRate: sample.requests > 0 ? sample.errors / sample.requests : null,
    p50: histogramPercentile(sample.latency, 0.5),
    p95: histogramPercentile(sample.latency, 0.95),
    p99: histogramPercentile(sample.latency, 0.99),
  };
}

export type Verdict = 'better' | 'no_change' | 'worse' | 'not_enough_data';

export interface ImpactOptions {
  /** Fewer requests than this on either side: not enough data. */
  minRequests: number;
  /** Significance level of both tests. */
  alpha: number;
  /** An error-rate change smaller than this (absolute, 0.01 = one point) is no change. */
  minErrorRateDelta: number;
  /** A p95 change smaller than this fraction of the baseline's p95 is no change. */
  minLatencyRatio: number;
  /** …nor one smaller than this many milliseconds. */
  minLatencyDeltaMs: number;
}

export const DEFAULT_IMPACT_OPTIONS: ImpactOptions = {
  minRequests: 100,
  alpha: 0.01,
  minErrorRateDelta: 0.005,
  minLatencyRatio: 0.1,
  minLatencyDeltaMs: 1,
};

/**
 * A canary is a freshly started process judged against a warm one over a few minutes: JIT and
 * caches make it a few milliseconds slower at first without anything being wrong. Only a clear
 * slowdown (≥ 20 % and ≥ 5 ms at p95) counts against it; errors are judged as strictly as ever.
 */
const CANARY_LATENCY = { minLatencyRatio: 0.2, minLatencyDeltaMs: 5 };

export type MetricChange = 'better' | 'no_change' | 'worse';

export interface Comparison {
  verdict: Verdict;
  baseline: SideSummary;
  candidate: SideSummary;
  errorRate: TestResult & { change: MetricChange };
  latency: TestResult & { change: MetricChange };
}

/**
 * Compares a candidate (after the release, or the canary) with a baseline (before, or the
 * stable version). Worse on any metric is worse; otherwise better on any is better.
 */
export function compareTraffic(
  baseline: TrafficSample,
  candidate: TrafficSample,
  options: ImpactOptions = DEFAULT_IMPACT_OPTIONS,
): Comparison {
  const base = summarise(baseline);
  const cand = summarise(candidate);
  const errorTest = twoProportionTest(
    baseline.errors,
    baseline.requests,
    candidate.errors,
    candidate.requests,
  );
  const { z: latencyZ, pValue: latencyP } = rankTestFromHistograms(baseline.latency, candidate.latency);
  const latencyTest: TestResult = { z: latencyZ, pValue: latencyP };
  const errorDelta = (cand.errorRate ?? 0) - (base.errorRate ?? 0);
  const errorChange: MetricChange =
    errorTest.pValue < options.alpha && Math.abs(errorDelta) >= options.minErrorRateDelta
      ? errorDelta > 0
        ? 'worse'
        : 'better'
      : 'no_change';
  const p95Base = base.p95 ?? 0;
  const p95Delta = (cand.p95 ?? 0) - p95Base;
  const latencyMatters =
    Math.abs(p95Delta) >= Math.max(options.minLatencyDeltaMs, p95Base * options.minLatencyRatio);
  const latencyChange: MetricChange =
    latencyTest.pValue < options.alpha && latencyMatters
      ? latencyTest.z > 0
        ? 'worse'
        : 'better'
      : 'no_change';
  const enough = baseline.requests >= options.minRequests && candidate.requests >= options.minRequests;
  let verdict: Verdict = 'no_change';
  if (!enough) verdict = 'not_enough_data';
  else if (errorChange === 'worse' || latencyChange === 'worse') verdict = 'worse';
  else if (errorChange === 'better' || latencyChange === 'better') verdict = 'better';
  return {
    verdict,
    baseline: base,
    candidate: cand,
    errorRate: { ...errorTest, change: errorChange },
    latency: { ...latencyTest, change: latencyChange },
  };
}

/** Limits of a canary step (`rollout:` of an environment). */
export interface CanaryLimits {
  minRequests: number;
  /** Absolute error rate the canary may not exceed (0.05 = 5 %), if set. */
  maxErrorRate?: number;
  /** p95 latency (ms) the canary may not exceed, if set. */
  maxP95Ms?: number;
  alpha?: number;
}

export type CanaryDecision =
  | { outcome: 'wait'; reason: 'not_enough_requests'; params: { canary: number; needed: number } }
  | { outcome: 'pass'; comparison: Comparison }
  | {
      outcome: 'fail';
      reason: 'error_rate_limit' | 'p95_limit' | 'worse_than_stable';
      params: Record<string, number>;
      comparison: Comparison;
    };

/**
 * Judges a canary against the stable version serving at the same time: fails on an absolute
 * limit, or when it is significantly worse than stable; waits while it has too few requests.
 */
export function judgeCanary(
  stable: TrafficSample,
  canary: TrafficSample,
  limits: CanaryLimits,
): CanaryDecision {
  if (canary.requests < limits.minRequests) {
    return {
      outcome: 'wait',
      reason: 'not_enough_requests',
      params: { canary: canary.requests, needed: limits.minRequests },
    };
  }
  const comparison = compareTraffic(stable, canary, {
    ...DEFAULT_IMPACT_OPTIONS,
    ...CANARY_LATENCY,
    minRequests: limits.minRequests,
    alpha: limits.alpha ?? DEFAULT_IMPACT_OPTIONS.alpha,
  });
  const errorRate = comparison.candidate.errorRate ?? 0;
  if (limits.maxErrorRate !== undefined && errorRate > limits.maxErrorRate) {
    return {
      outcome: 'fail',
      reason: 'error_rate_limit',
      params: { errorRate, limit: limits.maxErrorRate },
      comparison,
    };
  }
  const p95 = comparison.candidate.p95 ?? 0;
  if (limits.maxP95Ms !== undefined && p95 > limits.maxP95Ms) {
    return { outcome: 'fail', reason: 'p95_limit', params: { p95, limit: limits.maxP95Ms }, comparison };
  }
  // Against stable only when stable had enough traffic to be a baseline at all.
  if (stable.requests >= limits.minRequests && comparison.verdict === 'worse') {
    return {
      outcome: 'fail',
      reason: 'worse_than_stable',
      params: { canaryErrorRate: errorRate, stableErrorRate: comparison.baseline.errorRate ?? 0 },
      comparison,
    };
  }
  return { outcome: 'pass', comparison };
}
