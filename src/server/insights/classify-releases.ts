/**
 * What each release was, for the DORA metrics: a deployment or not, a change or not, a failure
 * (and the evidence), unplanned work (and why), and how long a failure took to recover. Pure,
 * over one environment's releases in number order, so every rule is in one place.
 */
export interface FactInput {
  release_id: string;
  environment_id: string;
  number: number;
  trigger: string;
  status: string;
  reason: string | null;
  ref_name: string | null;
  digest: string | null;
  rollback_of: string | null;
  created_at: number;
  started_at: number | null;
  ended_at: number;
}

export type FailureKind = 'auto_rollback' | 'failed' | 'rolled_back_by_hand' | 'hotfix';
export type ReworkKind = 'hotfix' | 'rollback' | 'redeploy';

export interface ClassifiedRelease {
  fact: FactInput;
  /** A deploy that reached the environment: not a scale, ended succeeded, rolled back, or failed after starting. */
  deployment: boolean;
  /** A deployment of a change (not a rollback): the change failure rate's population. */
  change: boolean;
  failure: { kind: FailureKind; evidence: { releaseNumber: number; reason: string | null } } | null;
  rework: ReworkKind | null;
  /** For a failure: ms until the next healthy release of the environment; null while not recovered. */
  recoveryMs: number | null;
  recoveredBy: number | null;
}

export function isHotfixRef(ref: string | null): boolean {
  return ref?.startsWith('hotfix/') ?? false;
}

/** Classifies one environment's releases; `facts` must be in release-number order. */
export function classifyEnvironment(
  facts: readonly FactInput[],
  hotfixWindowMs: number,
): ClassifiedRelease[] {
  const out: ClassifiedRelease[] = [];
  let live: ClassifiedRelease | null = null;
  for (const fact of facts) {
    const deployment =
      fact.trigger !== 'scale' &&
      (fact.status === 'succeeded' ||
        fact.status === 'rolled_back' ||
        (fact.status === 'failed' && fact.started_at !== null));
    const c: ClassifiedRelease = {
      fact,
      deployment,
      change: deployment && fact.trigger !== 'rollback',
      failure: null,
      rework: null,
      recoveryMs: null,
      recoveredBy: null,
    };
    if (deployment) {
      const hotfix = isHotfixRef(fact.ref_name) && fact.trigger !== 'rollback';
      const redeploy =
        fact.trigger !== 'rollback' &&
        fact.digest !== null &&
        live !== null &&
        live.fact.digest === fact.digest;
      c.rework = fact.trigger === 'rollback' ? 'rollback' : hotfix ? 'hotfix' : redeploy ? 'redeploy' : null;
      if (fact.status === 'rolled_back') c.failure = evidence('auto_rollback', fact);
      else if (fact.status === 'failed') c.failure = evidence('failed', fact);
      // A rollback by hand or a hotfix says the release serving until then was a failure.
      if (live && !live.failure && live.fact.release_id !== fact.rollback_of) {
        if (fact.trigger === 'rollback') live.failure = evidence('rolled_back_by_hand', fact);
        else if (hotfix && fact.created_at - live.fact.ended_at <= hotfixWindowMs) {
          live.failure = evidence('hotfix', fact);
        }
      }
    }
    out.push(c);
    if (fact.status === 'succeeded' && fact.trigger !== 'scale') live = c;
  }
  measureRecovery(out);
  return out;
}

function evidence(kind: FailureKind, fact: FactInput): NonNullable<ClassifiedRelease['failure']> {
  return { kind, evidence: { releaseNumber: fact.number, reason: fact.reason } };
}

/** Each failure recovers at the next successful deployment that is not a failure itself. */
function measureRecovery(releases: ClassifiedRelease[]): void {
  for (const [i, r] of releases.entries()) {
    if (!r.failure) continue;
    for (let j = i + 1; j < releases.length; j++) {
      const next = releases[j] as ClassifiedRelease;
      if (next.fact.status !== 'succeeded' || next.fact.trigger === 'scale' || next.failure) continue;
      r.recoveryMs = Math.max(0, next.fact.ended_at - r.fact.ended_at);
      r.recoveredBy = next.fact.number;
      break;
    }
  }
}
