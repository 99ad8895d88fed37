/** A canary's verdict reaches the release history translated, with its evidence filled in. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RELEASE_REASONS } from '../../src/domain/reason-codes.js';
import { releaseOfRun } from '../../src/server/deploys/release-run-title.js';
import { hasMessage, makeT } from '../../web/src/i18n/index.js';
import { releaseReasonText } from '../../web/src/pages/release-reason.js';
import { runTitle } from '../../web/src/pages/run-title.js';

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

// Every release reason code the server may send, with parameters such a reason carries.
const PARAMS = {
  container: 'shop-web-r7-1',
  exitCode: 3,
  failures: 3,
  seconds: 30,
  image: 'busybox:1.36',
  port: 18080,
  detail: 'boom',
  engine: 'Docker engine',
  state: 'paused',
  service: 'shop-web-prod',
  replicas: 2,
  target: 'swarm',
  count: 2,
  from: 'build',
  step: 10,
  check: 'p95_limit',
  canaryErrorRate: 0.1,
  stableErrorRate: 0,
  canaryP95Ms: 12,
  stableP95Ms: 9,
  canaryRequests: 1,
  needed: 5,
  failure: 'timeout',
  skip: 'run_canceled',
};

test('every release reason code has a text in en and zh-CN, never the raw key nor the English fallback', () => {
  for (const code of RELEASE_REASONS) {
    const said = (lang: 'en' | 'zh-CN') =>
      releaseReasonText({ reason: 'FALLBACK', reasonCode: code, reasonParams: PARAMS }, makeT(lang));
    const en = said('en');
    const zh = said('zh-CN');
    assert.notEqual(en, 'FALLBACK', `${code}: no English text`);
    assert.notEqual(zh, 'FALLBACK', `${code}: no Chinese text`);
    assert.notEqual(zh, en, `${code}: zh-CN is the English text`);
    assert.doesNotMatch(en + zh, /release\.(why|reason)\.|\{\w+\}/, `${code}: raw key or placeholder`);
    // The short form (no engine words) exists for every code that has a `.detail` form.
    if (hasMessage(`release.why.${code}.detail`)) {
      const { detail: _, ...short } = PARAMS;
      const bare = releaseReasonText(
        { reason: 'FALLBACK', reasonCode: code, reasonParams: short },
        makeT('zh-CN'),
      );
      assert.notEqual(bare, 'FALLBACK', `${code}: no short form`);
      assert.doesNotMatch(bare, /boom/);
    }
  }
});

test('a never-healthy container rolled back reads in Chinese with its health check output', () => {
  const r = {
    reason: 'container shop-web-r7-1 is unhealthy after 3 failed health checks; last output: curl: (7)',
    reasonCode: 'container_unhealthy',
    reasonParams: { container: 'shop-web-r7-1', failures: 3, detail: 'curl: (7)' },
  };
  assert.equal(
    releaseReasonText(r, makeT('zh-CN')),
    '容器 shop-web-r7-1 连续 3 次健康检查失败，状态为不健康；最后输出：curl: (7)',
  );
  assert.equal(
    releaseReasonText(r, makeT('en')),
    'Container shop-web-r7-1 is unhealthy after 3 failed health checks; last output: curl: (7)',
  );
});

test('an unknown code or a missing parameter falls back to the English reason', () => {
  const t = makeT('zh-CN');
  assert.equal(
    releaseReasonText({ reason: 'from a newer agent', reasonCode: 'brand_new_code' }, t),
    'from a newer agent',
  );
  assert.equal(
    releaseReasonText({ reason: 'port 8080 taken', reasonCode: 'port_in_use', reasonParams: {} }, t),
    'port 8080 taken',
  );
  assert.equal(
    releaseReasonText({ reason: 'x', reasonCode: 'image_pull_failed', reasonParams: { image: 'a' } }, t),
    'x',
    'image_pull_failed needs its detail',
  );
});

test('a release run is titled from its release in the reader language; other runs by their message', () => {
  const run = {
    message: 'release #4 of web to production',
    release: { number: 4, app: 'web', env: 'production' },
  };
  assert.equal(runTitle(run, makeT('en')), 'Release #4 of web to production');
  assert.equal(runTitle(run, makeT('zh-CN')), 'web 发布 #4 到 production');
  assert.equal(runTitle({ message: 'fix: thing\n\nbody' }, makeT('zh-CN')), 'fix: thing');
  // The server side: what a release run's row says about its release.
  const plan = JSON.stringify({ stages: [{ jobs: [{ deploy: { app: 'web', env: 'production' } }] }] });
  assert.deepEqual(releaseOfRun({ trigger: 'deploy', record: 'web-production-r4', plan }), {
    release: { number: 4, app: 'web', env: 'production' },
  });
  assert.deepEqual(releaseOfRun({ trigger: 'push', record: 'main-r4', plan }), {});
  assert.deepEqual(releaseOfRun({ trigger: 'deploy', record: 'x-r2', plan: '{not json' }), {});
});
