/**
 * Issue #14: every code the server can send for a failure, a skip or a refused request has an
 * English and a Chinese text in the web UI (the code lists come from src/domain/reason-codes.ts,
 * so a code added there without words fails here), and the texts the UI assembles from codes and
 * params never show a raw key, falling back to the server's message when they cannot be said.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ERROR_REASONS, FAILURE_REASONS, SKIP_CODES } from '../../src/domain/reason-codes.js';
import { releaseReasonOfJob } from '../../src/server/deploys/release-job-reason.js';
import { ApiError } from '../../web/src/api/http.js';
import { errorText } from '../../web/src/components/error-text.js';
import { allMessages, LANGS, makeT } from '../../web/src/i18n/index.js';
import { releaseReasonText } from '../../web/src/pages/release-reason.js';
import { failureText, runFailureText, skipText } from '../../web/src/pages/run/reason-text.js';

const RAW_KEY = /\b(reason|error)\.[a-z_]+(\.[a-zA-Z_]+)*\b/;
const PLACEHOLDER = /\{\w+\}/;

describe('every server code has words in both languages', () => {
  for (const lang of LANGS) {
    it(`${lang}: failure reasons, skip codes and error reasons`, () => {
      const messages = allMessages(lang);
      const missing = [
        ...FAILURE_REASONS.flatMap((r) => [`reason.failure.${r}`, `reason.short.${r}`]),
        ...SKIP_CODES.map((c) => `reason.skip.${c}`),
        ...ERROR_REASONS.map((r) => `error.${r}`),
      ].filter((key) => !messages[key]?.trim());
      assert.deepEqual(missing, [], `keys without a ${lang} text`);
    });
  }
});

describe('reason texts', () => {
  const zh = makeT('zh-CN');
  const en = makeT('en');

  it('a failed job says its exit code and its timeout in the reader’s language', () => {
    const exit = {
      reason: 'exit_code' as const,
      message: 'job "unit" exited with code 2',
      params: { code: 2 },
    };
    assert.equal(failureText(exit, en), 'The script exited with code 2.');
    assert.equal(failureText(exit, zh), '脚本以退出码 2 结束。');
    const timeout = {
      reason: 'timeout' as const,
      message: 'job "slow" timed out after 90 s',
      params: { seconds: 90 },
    };
    assert.match(failureText(timeout, en), /^Timed out after 1 min 30 s/);
    assert.match(failureText(timeout, zh), /^运行超过 1 分钟 30 秒/);
  });

  it("a run's failure names the job and says the job's reason", () => {
    const failure = {
      reason: 'exit_code' as const,
      message: 'job "unit" failed: job "unit" exited with code 2',
      params: { job: 'unit', code: 2 },
    };
    assert.equal(runFailureText(failure, en), 'Job “unit” failed: exit code 2');
    assert.equal(runFailureText(failure, zh), '任务“unit”失败：退出码 2');
  });

  it('skips: changes lists globs and files, upstream_failed names the job and how it ended', () => {
    const changes = {
      code: 'changes' as const,
      message: 'no changed file matches changes: docs/** (changed: a, b, c, d, e and 2 more)',
      params: { globs: ['docs/**'], files: ['a', 'b', 'c', 'd', 'e'], more: 2 },
    };
    assert.equal(
      skipText(changes, en),
      'Not run: no changed file matches changes: docs/** (changed: a, b, c, d, e and 2 more).',
    );
    assert.equal(
      skipText(changes, zh),
      '未运行：没有变更的文件匹配 changes: docs/**（变更：a, b, c, d, e 等，另有 2 个）。',
    );
    const upstream = {
      code: 'upstream_failed' as const,
      message: 'not run: "unit" failed',
      params: { job: 'unit', state: 'failed' },
    };
    assert.equal(skipText(upstream, zh), '未运行：“unit”失败。');
    const lost = {
      code: 'upstream_failed' as const,
      message: 'not run: the agent was lost',
      params: { cause: 'agent_lost' },
    };
    assert.equal(skipText(lost, zh), '未运行：本次执行的执行器失去联系。');
  });

  it('rows without params and unknown codes show the server’s message, never a key', () => {
    const old = { reason: 'exit_code' as const, message: 'job "unit" exited with code 2' };
    assert.equal(failureText(old, zh), old.message);
    assert.equal(runFailureText(old, zh), old.message);
    const oldSkip = { code: 'upstream_failed' as const, message: 'not run: "unit" failed' };
    assert.equal(skipText(oldSkip, zh), oldSkip.message);
    const future = { code: 'brand_new', message: 'a reason from a newer server' } as unknown as Parameters<
      typeof skipText
    >[0];
    assert.equal(skipText(future, zh), future.message);
    const strangeState = {
      code: 'upstream_failed' as const,
      message: 'm',
      params: { job: 'x', state: 'odd' },
    };
    assert.equal(skipText(strangeState, zh), 'm');
    for (const code of SKIP_CODES) {
      const text = skipText({ code, message: 'fallback' }, zh);
      assert.doesNotMatch(text, RAW_KEY, code);
      assert.doesNotMatch(text, PLACEHOLDER, code);
    }
  });
});

describe('request errors', () => {
  const zh = makeT('zh-CN');

  it('four-eyes and conflicts are said with their params; statuses in words', () => {
    const fourEyes = new ApiError(
      403,
      'forbidden',
      'release #3 was requested by max; …',
      undefined,
      'four_eyes',
      {
        actor: 'max',
        target: 'api/prod',
        release: 3,
      },
    );
    assert.equal(
      errorText(fourEyes, zh),
      'api/prod 需要另一个人审批：max 发起了这次发布，不能自己批准（四眼原则）。',
    );
    const notManual = new ApiError(409, 'conflict', 'job "ship" is skipped; …', undefined, 'job_not_manual', {
      job: 'ship',
      status: 'skipped',
    });
    assert.match(errorText(notManual, zh), /^任务“ship”当前为“/);
    assert.doesNotMatch(errorText(notManual, zh), /skipped|status\./);
    const approval = new ApiError(409, 'conflict', 'm', undefined, 'not_awaiting_approval', {
      release: 4,
      status: 'rolled_back',
    });
    assert.equal(errorText(approval, zh), '发布 #4 当前为“已回滚”；只有等待审批的发布可以批准。');
  });

  it('no reason, an unknown reason or missing params: the server’s message', () => {
    assert.equal(errorText(new ApiError(409, 'conflict', 'plain'), zh), 'plain');
    assert.equal(
      errorText(new ApiError(409, 'conflict', 'newer', undefined, 'from_the_future'), zh),
      'newer',
    );
    assert.equal(
      errorText(new ApiError(403, 'forbidden', 'no params', undefined, 'four_eyes'), zh),
      'no params',
    );
    assert.equal(errorText(new Error('network down'), zh), 'network down');
  });
});

describe('a release that ended with its deploy job', () => {
  const zh = makeT('zh-CN');

  it("takes the job's failure or skip as its code, and the release history says it", () => {
    const failed = releaseReasonOfJob('failed', {
      failure_reason: 'exit_code',
      failure_params: '{"code":3}',
      skip_code: null,
    });
    assert.deepEqual(failed, { code: 'job_failed', params: { code: 3, failure: 'exit_code' } });
    const text = releaseReasonText(
      { reason: 'job "ship" exited with code 3', reasonCode: failed?.code, reasonParams: failed?.params },
      zh,
    );
    assert.equal(text, '部署任务失败：脚本以退出码 3 结束。');
    const skipped = releaseReasonOfJob('skipped', {
      failure_reason: null,
      skip_code: 'changes',
      skip_params: '{"globs":["x/**"],"files":["a"],"more":0}',
    });
    assert.deepEqual(
      skipped,
      { code: 'job_skipped', params: { more: 0, skip: 'changes' } },
      'lists left out',
    );
    const said = releaseReasonText(
      { reason: 'not run: …', reasonCode: skipped?.code, reasonParams: skipped?.params },
      zh,
    );
    assert.equal(
      said,
      'not run: …',
      'without its lists the changes sentence falls back to the English reason',
    );
    const upstream = releaseReasonOfJob('skipped', {
      failure_reason: null,
      skip_code: 'upstream_failed',
      skip_params: '{"job":"test","state":"failed"}',
    });
    assert.equal(
      releaseReasonText({ reason: 'x', reasonCode: upstream?.code, reasonParams: upstream?.params }, zh),
      '未运行：“test”失败。',
    );
    assert.equal(releaseReasonOfJob('running', { failure_reason: null, skip_code: null }), null);
  });
});
