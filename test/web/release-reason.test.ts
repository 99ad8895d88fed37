/** A canary's verdict reaches the release history translated, with its evidence filled in. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeT } from '../../web/src/i18n/index.js';
import { releaseReasonText } from '../../web/src/pages/release-reason.js';

const failed = {
  reason: 'canary failed at 10 %: …',
  reasonCode: 'canary_failed',
  reasonParams: {
    step: 10,
    check: 'worse_than_stable',
    canaryErrorRate: 0.2,
    stableErrorRate: 0,
    canaryP95Ms: 12.4,
    stableP95Ms: 9,
  },
};

test('canary reasons are translated with their evidence, in both languages', () => {
  const en = releaseReasonText(failed, makeT('en'));
  assert.match(
    en,
    /Canary failed at 10 % \(significantly worse than the stable version\): errors 20\.0% vs 0\.0%/,
  );
  assert.match(en, /p95 12 ms vs 9 ms/);
  const zh = releaseReasonText(failed, makeT('zh-CN'));
  assert.match(zh, /金丝雀在 10% 时未通过（明显差于稳定版本）/);
  assert.doesNotMatch(zh + en, /release\.(reason|check)\./, 'no raw key');
  const quiet = releaseReasonText(
    {
      reason: 'x',
      reasonCode: 'canary_not_enough_requests',
      reasonParams: { step: 50, canaryRequests: 3, needed: 100 },
    },
    makeT('zh-CN'),
  );
  assert.match(quiet, /只收到 3 个请求可供判断（min_requests 为 100）/);
  // The agent's refusal of a canary on Swarm's ingress publishing, in both languages.
  const ingress = {
    reason: 'a canary rollout on Docker Swarm needs …',
    reasonCode: 'canary_needs_swarm_proxy',
  };
  assert.match(
    releaseReasonText(ingress, makeT('en')),
    /needs the proxy publish mode \(SLIPWAY_SWARM_PUBLISH=proxy\)/,
  );
  assert.match(releaseReasonText(ingress, makeT('zh-CN')), /需要 proxy 发布模式/);
  // Without a code the server's sentence is shown as it is.
  assert.equal(
    releaseReasonText({ reason: 'health check failed', reasonCode: undefined }, makeT('en')),
    'health check failed',
  );
});
