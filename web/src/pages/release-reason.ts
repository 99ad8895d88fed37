/**
 * A release's reason in the reader's language when the server gave a code with parameters
 * (canary analysis so far); the server's English sentence otherwise.
 */
import type { FailureJson, SkipJson } from '../../../src/api/reasons.js';
import type { ReleaseJson } from '../../../src/server/deploys/release-json.js';
import type { TFunction } from '../i18n/index.js';
import { registerMessages } from '../i18n/index.js';
import { failureText, skipText } from './run/reason-text.js';

registerMessages({
  en: {
    'release.reason.canary_failed':
      'Canary failed at {step} % ({check}): errors {canaryErrorRate} vs {stableErrorRate} on stable, p95 {canaryP95} vs {stableP95} — all traffic went back to the stable version.',
    'release.reason.canary_not_enough_requests':
      'Canary at {step} % got only {canaryRequests} request(s) to judge (min_requests {needed}); not promoted.',
    'release.check.error_rate_limit': 'error rate above max_error_rate',
    'release.check.p95_limit': 'p95 above max_p95_ms',
    'release.check.worse_than_stable': 'significantly worse than the stable version',
    'release.reason.job_failed': 'The deploy job failed: {why}',
  },
  'zh-CN': {
    'release.reason.canary_failed':
      '金丝雀在 {step}% 时未通过（{check}）：错误率 {canaryErrorRate}，稳定版本为 {stableErrorRate}；p95 {canaryP95}，稳定版本为 {stableP95}。全部流量已切回稳定版本。',
    'release.reason.canary_not_enough_requests':
      '金丝雀在 {step}% 时只收到 {canaryRequests} 个请求可供判断（min_requests 为 {needed}），未继续推进。',
    'release.check.error_rate_limit': '错误率超过 max_error_rate',
    'release.check.p95_limit': 'p95 超过 max_p95_ms',
    'release.check.worse_than_stable': '明显差于稳定版本',
    'release.reason.job_failed': '部署任务失败：{why}',
  },
});

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
        check: t(`release.check.${String(p.check ?? 'worse_than_stable')}`),
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
    // The deploy job ended without deploying (server/deploys/release-job-reason.ts).
    case 'job_failed': {
      const failure = { reason: p.failure, message: r.reason ?? '', params: p } as FailureJson;
      return t('release.reason.job_failed', { why: failureText(failure, t) });
    }
    case 'job_skipped':
      return skipText({ code: p.skip, message: r.reason ?? '', params: p } as SkipJson, t);
    default:
      return r.reason ?? '';
  }
}
