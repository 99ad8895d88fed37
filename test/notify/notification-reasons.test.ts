/**
 * A notification's reason line is said in the channel's language: every failure code and every
 * release reason code, with the parameters such a reason carries, reads in Chinese on a zh-CN
 * channel and exactly as the web UI says it on an English one. Messages queued by an older
 * server (no code), unknown codes and rows lacking parameters show the stored English sentence.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FAILURE_REASONS, RELEASE_REASONS } from '../../src/domain/reason-codes.js';
import { DURATION_SENTENCES, RUN_REASON_SENTENCES } from '../../src/domain/reason-sentences.js';
import {
  RELEASE_REASON_SENTENCES,
  RELEASE_WHY_SENTENCES,
} from '../../src/domain/release-reason-sentences.js';
import {
  type NotificationMessage,
  notificationMessageSchema,
  type ReleasePart,
  type RunPart,
} from '../../src/server/notify/notification-message.js';
import { type NotifyLanguage, renderMessage } from '../../src/server/notify/notification-text.js';
import { allMessages, LANGS, makeT } from '../../web/src/i18n/index.js';
import { releaseReasonText } from '../../web/src/pages/release-reason.js';
import { runFailureText } from '../../web/src/pages/run/reason-text.js';

const STORED = 'STORED ENGLISH SENTENCE';
const REASON_LINE = { en: 'reason: ', 'zh-CN': '原因: ' } as const;

/**
 * The English words of every reason sentence: the runs of text between its placeholders that
 * hold a word boundary (a space), long enough not to be a unit like " ms".
 */
const ENGLISH_FRAGMENTS = [
  ...Object.values(RUN_REASON_SENTENCES.en),
  ...Object.values(RELEASE_REASON_SENTENCES.en),
  ...Object.values(RELEASE_WHY_SENTENCES.en),
]
  .flatMap((text) => text.split(/\{\w+\}/))
  .map((fragment) => fragment.trim())
  .filter((fragment) => fragment.length >= 8 && fragment.includes(' '));

function reasonLine(message: NotificationMessage, language: NotifyLanguage): string | undefined {
  const line = renderMessage(message, language).lines.find((l) => l.startsWith(REASON_LINE[language]));
  return line?.slice(REASON_LINE[language].length);
}

function assertChinese(text: string | undefined, what: string): void {
  assert.ok(text, `${what}: no reason line`);
  assert.notEqual(text, STORED, `${what}: the stored English sentence`);
  assert.match(text, /[\u4e00-\u9fff]/, `${what}: no Chinese in "${text}"`);
  assert.doesNotMatch(text, /[{}]|undefined/, `${what}: a placeholder or undefined in "${text}"`);
  const english = ENGLISH_FRAGMENTS.filter((fragment) => text.includes(fragment));
  assert.deepEqual(english, [], `${what}: English words in "${text}"`);
}

const RUN: RunPart = {
  number: 7,
  record: 'main-r7',
  status: 'failed',
  actor: 'alice',
  trigger: 'push',
  ref: 'main',
  sha: '0123456789abcdef',
  durationMs: 61_000,
  stages: [{ name: 'build', status: 'failed' }],
  failure: STORED,
};

const runFailed = (run: Partial<RunPart>): NotificationMessage => ({
  event: 'run.failed',
  project: 'shop',
  url: 'https://ci.example.com/projects/shop/runs/7',
  at: 1,
  run: { ...RUN, ...run },
});

/** What a failure of each code carries (src/runtime and the server fill these). */
const FAILURE_PARAMS = { code: 1, seconds: 90, image: 'busybox:9.9' };

describe('run.failed: the failure in the channel language', () => {
  for (const reason of FAILURE_REASONS) {
    test(`${reason}: caused by a job, and of the run itself`, () => {
      for (const params of [{ ...FAILURE_PARAMS, job: 'unit' }, FAILURE_PARAMS]) {
        const failureCode = { reason, params };
        const message = runFailed({ failureCode });
        const web = { reason, message: STORED, params };
        assert.equal(reasonLine(message, 'en'), runFailureText(web, makeT('en')), 'en as the web says it');
        const zh = reasonLine(message, 'zh-CN');
        assertChinese(zh, `${reason} ${'job' in params ? 'job' : 'run'}`);
        assert.equal(zh, runFailureText(web, makeT('zh-CN')), 'zh-CN as the web says it');
      }
    });
  }

  test('the sentences a reader gets for an exit code and a timeout', () => {
    const exit = runFailed({ failureCode: { reason: 'exit_code', params: { job: 'unit', code: 1 } } });
    assert.equal(reasonLine(exit, 'zh-CN'), '任务“unit”失败：退出码 1');
    assert.equal(reasonLine(exit, 'en'), 'Job “unit” failed: exit code 1');
    const slow = runFailed({ failureCode: { reason: 'timeout', params: { job: 'e2e', seconds: 3720 } } });
    assert.equal(reasonLine(slow, 'zh-CN'), '任务“e2e”失败：运行超过 1 小时 2 分钟 已超时');
    assert.equal(reasonLine(slow, 'en'), 'Job “e2e” failed: timed out after 1 h 2 min');
  });

  test('an old outbox row (no code), an unknown code or missing params: the stored English', () => {
    const old = JSON.parse(JSON.stringify(runFailed({}))) as Record<string, unknown>;
    const parsed = notificationMessageSchema.parse(old);
    assert.equal(parsed.run?.failureCode, undefined);
    for (const lang of LANGS) assert.equal(reasonLine(parsed, lang), STORED, `${lang}: old row`);
    const cases: RunPart['failureCode'][] = [
      { reason: 'brand_new_code', params: { job: 'unit' } },
      { reason: 'exit_code', params: { job: 'unit' } },
      { reason: 'timeout' },
      { reason: 'image_not_found', params: { image: '' } },
    ];
    for (const failureCode of cases) {
      const message = notificationMessageSchema.parse(runFailed({ failureCode }));
      for (const lang of LANGS) assert.equal(reasonLine(message, lang), STORED, JSON.stringify(failureCode));
    }
    // A run that did not fail has no reason line at all.
    assert.equal(reasonLine(runFailed({ failure: null, status: 'succeeded' }), 'zh-CN'), undefined);
  });
});

const RELEASE: ReleasePart = {
  number: 4,
  application: 'shop-web',
  environment: 'production',
  image: 'shop:1.2',
  trigger: 'pipeline',
  actor: 'alice',
  reason: STORED,
  durationMs: 30_000,
};

const releaseFailed = (release: Partial<ReleasePart>): NotificationMessage => ({
  event: 'release.failed',
  project: 'shop',
  url: 'https://ci.example.com/projects/shop/apps',
  at: 1,
  release: { ...RELEASE, ...release },
});

/** Parameters release reasons carry (deploy targets, canary analysis, a deploy job's end). */
const RELEASE_PARAMS = {
  container: 'shop-web-r4-1',
  exitCode: 3,
  failures: 3,
  seconds: 30,
  image: 'busybox:1.36',
  port: 18080,
  detail: 'curl: (7)',
  engine: 'Docker',
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
  failure: 'exit_code',
  code: 2,
  skip: 'run_canceled',
};

describe('release.failed / rolled_back: the reason in the channel language', () => {
  for (const code of RELEASE_REASONS) {
    test(code, () => {
      const r = { reason: STORED, reasonCode: code, reasonParams: RELEASE_PARAMS };
      const message = releaseFailed(r);
      assert.equal(reasonLine(message, 'en'), releaseReasonText(r, makeT('en')), 'en as the web says it');
      const zh = reasonLine(message, 'zh-CN');
      assertChinese(zh, code);
      assert.equal(zh, releaseReasonText(r, makeT('zh-CN')), 'zh-CN as the web says it');
      const rolledBack = reasonLine({ ...message, event: 'release.rolled_back' }, 'zh-CN');
      assert.equal(rolledBack, zh);
    });
  }

  test('a health check that never passed, and a deploy job that failed', () => {
    const unhealthy = releaseFailed({
      reasonCode: 'container_unhealthy',
      reasonParams: { container: 'shop-web-r4-1', failures: 3, detail: 'curl: (7)' },
    });
    assert.equal(
      reasonLine(unhealthy, 'zh-CN'),
      '容器 shop-web-r4-1 连续 3 次健康检查失败，状态为不健康；最后输出：curl: (7)',
    );
    const job = releaseFailed({ reasonCode: 'job_failed', reasonParams: { failure: 'exit_code', code: 3 } });
    assert.equal(reasonLine(job, 'zh-CN'), '部署任务失败：脚本以退出码 3 结束。');
    assert.equal(reasonLine(job, 'en'), 'The deploy job failed: The script exited with code 3.');
  });

  test('an old outbox row (no code), an unknown code or missing params: the stored English', () => {
    const { reasonCode: _c, reasonParams: _p, ...old } = RELEASE;
    const parsed = notificationMessageSchema.parse(JSON.parse(JSON.stringify(releaseFailed(old))));
    for (const lang of LANGS) assert.equal(reasonLine(parsed, lang), STORED, `${lang}: old row`);
    const cases: Partial<ReleasePart>[] = [
      { reasonCode: 'brand_new_code', reasonParams: { detail: 'x' } },
      { reasonCode: 'port_in_use', reasonParams: {} },
      { reasonCode: 'image_pull_failed', reasonParams: { image: 'a' } },
      { reasonCode: 'canary_failed' },
      { reasonCode: 'job_failed', reasonParams: { failure: 'exit_code' } },
      { reasonCode: 'job_skipped', reasonParams: { skip: 'needs_not_run' } },
    ];
    for (const c of cases) {
      const message = notificationMessageSchema.parse(releaseFailed(c));
      for (const lang of LANGS) assert.equal(reasonLine(message, lang), STORED, JSON.stringify(c));
    }
    // A release without a reason (it succeeded) has no reason line.
    assert.equal(reasonLine(releaseFailed({ reason: null }), 'zh-CN'), undefined);
  });
});

test("the duration words are the web UI's (web/src/i18n time.*), in both languages", () => {
  for (const lang of LANGS) {
    for (const [key, text] of Object.entries(DURATION_SENTENCES[lang])) {
      assert.equal(allMessages(lang)[key], text, `${lang} ${key}`);
    }
  }
});
