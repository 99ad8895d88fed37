/**
 * A release's reason in the reader's language when the server gave a code with parameters
 * (canary analysis so far); the server's English sentence otherwise.
 */
import type { ReleaseJson } from '../../../src/server/deploys/release-json.js';
import type { TFunction } from '../i18n/index.js';
import { registerMessages } from '../i18n/index.js';

registerMessages({
  en: {
    'release.reason.canary_failed':
      'Canary failed at {step} % ({check}): errors {canaryErrorRate} vs {stableErrorRate} on stable, p95 {canaryP95} vs {stableP95} — all traffic went back to the stable version.',
    'release.reason.canary_not_enough_requests':
      'Canary at {step} % got only {canaryRequests} request(s) to judge (min_requests {needed}); not promoted.',
    'release.reason.canary_needs_swarm_proxy':
      'A canary on Docker Swarm needs the proxy publish mode (SLIPWAY_SWARM_PUBLISH=proxy): the routing mesh of ingress publishing cannot be given a share. Nothing was changed.',
    'release.check.error_rate_limit': 'error rate above max_error_rate',
    'release.check.p95_limit': 'p95 above max_p95_ms',
    'release.check.worse_than_stable': 'significantly worse than the stable version',
  },
  'zh-CN': {
    'release.reason.canary_failed':
      '金丝雀在 {step}% 时未通过（{check}）：错误率 {canaryErrorRate}，稳定版本为 {stableErrorRate}；p95 {canaryP95}，稳定版本为 {stableP95}。全部流量已切回稳定版本。',
    'release.reason.canary_not_enough_requests':
      '金丝雀在 {step}% 时只收到 {canaryRequests} 个请求可供判断（min_requests 为 {needed}），未继续推进。',
    'release.reason.canary_needs_swarm_proxy':
      'Docker Swarm 上的金丝雀发布需要 proxy 发布模式（SLIPWAY_SWARM_PUBLISH=proxy）：ingress 发布的路由网格无法按比例分配流量。未做任何更改。',
    'release.check.error_rate_limit': '错误率超过 max_error_rate',
    'release.check.p95_limit': 'p95 超过 max_p95_ms',
    'release.check.worse_than_stable': '明显差于稳定版本',
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
    case 'canary_needs_swarm_proxy':
      return t('release.reason.canary_needs_swarm_proxy');
    default:
      return r.reason ?? '';
  }
}
