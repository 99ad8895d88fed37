/**
 * A release's reason in the reader's language when the server gave a code with parameters
 * (RELEASE_REASONS in src/domain/reason-codes.ts); the server's English sentence when the code is
 * unknown to this UI or a parameter its text needs is missing — never a raw key.
 */
import type { FailureJson, SkipJson } from '../../../src/api/reasons.js';
import type { ReleaseJson } from '../../../src/api/releases.js';
import { hasMessage, type MessageVars, type TFunction, tCode } from '../i18n/index.js';
import { failureText, skipText } from './run/reason-text.js';

const pct = (x: unknown) => (typeof x === 'number' ? `${(x * 100).toFixed(1)}%` : '–');
const ms = (x: unknown) => (typeof x === 'number' ? `${Math.round(x)} ms` : '–');

export function releaseReasonText(
  r: Pick<ReleaseJson, 'reason' | 'reasonCode' | 'reasonParams'>,
  t: TFunction,
): string {
  const p = r.reasonParams ?? {};
  switch (r.reasonCode) {
    case 'canary_failed':
      return t('release.reason.canary_failed', {
        step: p.step ?? '?',
        check: tCode(t, 'release.check', String(p.check ?? 'worse_than_stable'), String(p.check)),
        canaryErrorRate: pct(p.canaryErrorRate),
        stableErrorRate: pct(p.stableErrorRate),
        canaryP95: ms(p.canaryP95Ms),
        stableP95: ms(p.stableP95Ms),
      });
    case 'canary_not_enough_requests':
      return t('release.reason.canary_not_enough_requests', {
        step: p.step ?? '?',
        canaryRequests: p.canaryRequests ?? 0,
        needed: p.needed ?? '?',
      });
    case 'canary_needs_swarm_proxy':
      return t('release.reason.canary_needs_swarm_proxy');
    // The deploy job ended without deploying (server/deploys/release-job-reason.ts).
    case 'job_failed': {
      const failure = { reason: p.failure, message: r.reason ?? '', params: p } as FailureJson;
      return t('release.reason.job_failed', { why: failureText(failure, t) });
    }
    case 'job_skipped':
      return skipText({ code: p.skip, message: r.reason ?? '', params: p } as SkipJson, t);
    default:
      return whyText(r.reasonCode, p, r.reason ?? '', t);
  }
}

/**
 * The `release.why.<code>` text (its `.detail` form when the engine's words came along), filled
 * from the parameters; the English reason when there is no text or a placeholder has no value.
 */
function whyText(code: string | undefined, params: MessageVars, fallback: string, t: TFunction): string {
  if (!code) return fallback;
  const detailed = `release.why.${code}.detail`;
  const key =
    params.detail !== undefined && params.detail !== '' && hasMessage(detailed)
      ? detailed
      : `release.why.${code}`;
  if (!hasMessage(key)) return fallback;
  const text = (t as (k: string) => string)(key);
  const missing = [...text.matchAll(/\{(\w+)\}/g)].some((m) => params[m[1] as string] === undefined);
  if (missing) return fallback;
  return tCode(t, 'release.why', key.slice('release.why.'.length), fallback, params);
}
