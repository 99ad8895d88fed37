/**
 * The canary part of a rollout (environment `rollout: {strategy: canary, …}`): the new
 * version, already started and healthy, gets each step's share of the traffic in turn; after
 * each bake it is judged against the stable version over the *same* window (judgeCanary in
 * domain/release-stats.ts: absolute limits, then two-proportion and rank tests against
 * stable). Too few canary requests: the window grows, bounded (MAX_EXTRA_BAKES more bakes),
 * and still too few is a failure — a version nobody could judge is not promoted.
 * Steps below 100 are judged; reaching 100 is the caller's normal switch.
 *
 * Targets share all of it: they only start the canary's instances (containers, or a second
 * Swarm service), hand their addresses over, and remove them again (canaryStage).
 */

import type { ReleaseReason, ReleaseReasonParams } from '../domain/reason-codes.js';
import {
  type CanaryDecision,
  type Comparison,
  judgeCanary,
  type TrafficSample,
} from '../domain/release-stats.js';
import type { CanaryRollout, DeployLog, DeployOutcome, EnvironmentRef } from './deploy-target.js';
import type { EnvironmentProxies } from './environment-proxies.js';
import {
  countsBetween,
  emptyCounts,
  errorsOf,
  type TrafficCounts,
  type TrafficRecorder,
} from './traffic-recorder.js';

const MAX_EXTRA_BAKES = 4;

/** Served but not judged at the first step: half a bake, at most 30 s. */
export function warmupMs(bakeMs: number): number {
  return Math.min(30_000, Math.round(bakeMs / 2));
}

export interface CanaryRun {
  ref: EnvironmentRef;
  proxies: EnvironmentProxies;
  recorder: TrafficRecorder;
  rollout: CanaryRollout;
  stableRelease: string | null;
  canaryRelease: string;
  canaryAddresses: string[];
  log: DeployLog;
  signal: AbortSignal;
}

export type CanaryResult =
  | { outcome: 'passed' }
  | { outcome: 'canceled' }
  | { outcome: 'failed'; reason: string; code: ReleaseReason; params: ReleaseReasonParams };

/** Runs every step below 100; leaves the canary share in place only when it passed. */
export async function runCanary(run: CanaryRun): Promise<CanaryResult> {
  const { rollout, log } = run;
  let first = true;
  for (const step of rollout.steps.filter((s) => s < 100)) {
    run.proxies.setCanary(run.canaryAddresses, run.canaryRelease, step / 100);
    log(`canary: ${step} % of the traffic goes to the new version; baking ${seconds(rollout.bakeMs)}`);
    if (first) {
      // A fresh process answers its first requests slowly (cold caches, JIT): judged against a
      // warm stable version it would look worse for reasons that pass. Its first requests are
      // served but not judged.
      first = false;
      if (!(await pause(warmupMs(rollout.bakeMs), run.signal))) return canceled(run);
    }
    const stableStart = stableTotals(run);
    const canaryStart = run.recorder.totals(run.ref, run.canaryRelease, 'canary');
    if (!(await pause(rollout.bakeMs, run.signal))) return canceled(run);
    const deadline = Date.now() + MAX_EXTRA_BAKES * rollout.bakeMs;
    for (;;) {
      const stable = sample(countsBetween(stableStart, stableTotals(run)));
      const canary = sample(
        countsBetween(canaryStart, run.recorder.totals(run.ref, run.canaryRelease, 'canary')),
      );
      const decision = judgeCanary(stable, canary, {
        minRequests: rollout.minRequests,
        ...(rollout.maxErrorRate !== undefined ? { maxErrorRate: rollout.maxErrorRate } : {}),
        ...(rollout.maxP95Ms !== undefined ? { maxP95Ms: rollout.maxP95Ms } : {}),
      });
      if (decision.outcome === 'wait') {
        if (Date.now() >= deadline) {
          run.proxies.clearCanary();
          const params = { step, canaryRequests: canary.requests, needed: rollout.minRequests };
          log(
            `canary: after ${seconds(rollout.bakeMs * (1 + MAX_EXTRA_BAKES))} the new version served ${canary.requests} request(s), fewer than min_requests ${rollout.minRequests}; not promoted`,
          );
          return {
            outcome: 'failed',
            reason: `canary at ${step} %: only ${canary.requests} request(s) to judge, min_requests is ${rollout.minRequests}`,
            code: 'canary_not_enough_requests',
            params,
          };
        }
        log(`canary: ${canary.requests} of ${rollout.minRequests} request(s) needed; waiting`);
        if (!(await pause(Math.min(rollout.bakeMs, 5_000), run.signal))) return canceled(run);
        continue;
      }
      log(`canary at ${step} %: ${evidence(decision.comparison)}`);
      if (decision.outcome === 'fail') {
        run.proxies.clearCanary();
        log(`canary failed (${describe(decision)}): all traffic back to the stable version`);
        return {
          outcome: 'failed',
          reason: `canary failed at ${step} %: ${describe(decision)}; ${evidence(decision.comparison)}`,
          code: 'canary_failed',
          params: { step, check: decision.reason, ...evidenceParams(decision.comparison) },
        };
      }
      log(`canary at ${step} % passed`);
      break;
    }
  }
  return { outcome: 'passed' };
}

/**
 * The canary stage of a target's rollout. Passed: null, and the caller promotes the new
 * version. Otherwise the canary's share is already back on stable (runCanary); its requests
 * still on their way are drained, `discard` removes its instances (engine-specific), and the
 * outcome says why, with the judge's evidence.
 */
export async function canaryStage(
  run: CanaryRun,
  drainTimeoutMs: number,
  discard: () => Promise<void>,
): Promise<DeployOutcome | null> {
  const canary = await runCanary(run);
  if (canary.outcome === 'passed') return null;
  await run.proxies.drain(run.canaryAddresses, drainTimeoutMs);
  await discard();
  if (canary.outcome === 'canceled') return { result: 'canceled' };
  run.log('removed the canary; the previous version keeps serving');
  return { result: 'rolled_back', reason: canary.reason, code: canary.code, params: canary.params };
}

function stableTotals(run: CanaryRun): TrafficCounts {
  // Untagged stable traffic (an environment restored without labels) cannot be compared:
  // the judge then applies only the absolute limits.
  return run.stableRelease ? run.recorder.totals(run.ref, run.stableRelease, 'stable') : emptyCounts();
}

function sample(counts: TrafficCounts): TrafficSample {
  // TCP environments count connections, not requests: a connection is the unit then.
  const requests = counts.requests > 0 ? counts.requests : counts.connections;
  return { requests, errors: errorsOf(counts), latency: counts.latency };
}

function canceled(run: CanaryRun): CanaryResult {
  run.proxies.clearCanary();
  return { outcome: 'canceled' };
}

function describe(decision: Extract<CanaryDecision, { outcome: 'fail' }>): string {
  const p = decision.params;
  switch (decision.reason) {
    case 'error_rate_limit':
      return `error rate ${percent(p.errorRate)} is above max_error_rate ${percent(p.limit)}`;
    case 'p95_limit':
      return `p95 ${Math.round(p.p95 ?? 0)} ms is above max_p95_ms ${p.limit} ms`;
    case 'worse_than_stable':
      return 'significantly worse than the stable version';
  }
}

/** Both sides and both tests, as the release log shows them. */
export function evidence(c: Comparison): string {
  const side = (name: string, s: Comparison['baseline']) =>
    `${name} ${s.requests} request(s), error rate ${s.errorRate === null ? '-' : percent(s.errorRate)}, p95 ${s.p95 === null ? '-' : `${Math.round(s.p95)} ms`}`;
  return `${side('canary', c.candidate)}; ${side('stable', c.baseline)}; error-rate test p=${c.errorRate.pValue.toFixed(4)}, latency rank test p=${c.latency.pValue.toFixed(4)}`;
}

function evidenceParams(c: Comparison): Record<string, number> {
  const out: Record<string, number> = {
    canaryRequests: c.candidate.requests,
    stableRequests: c.baseline.requests,
    errorRateP: c.errorRate.pValue,
    latencyP: c.latency.pValue,
  };
  if (c.candidate.errorRate !== null) out.canaryErrorRate = c.candidate.errorRate;
  if (c.baseline.errorRate !== null) out.stableErrorRate = c.baseline.errorRate;
  if (c.candidate.p95 !== null) out.canaryP95Ms = c.candidate.p95;
  if (c.baseline.p95 !== null) out.stableP95Ms = c.baseline.p95;
  return out;
}

function percent(x: number | undefined): string {
  return `${((x ?? 0) * 100).toFixed(1)} %`;
}

function seconds(ms: number): string {
  return ms >= 60_000 && ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 100) / 10} s`;
}

/** Waits `ms`; false when the signal aborted first. */
function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(ok);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
