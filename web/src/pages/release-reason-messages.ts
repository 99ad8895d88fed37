/** Release reasons the server sends as codes (canary analysis), en + zh-CN. */
import { defineMessages } from '../i18n/define-messages.js';

export const releaseReasonMessages = defineMessages({
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
    'release.reason.job_failed': 'The deploy job failed: {why}',
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
    'release.reason.job_failed': '部署任务失败：{why}',
  },
});
