/**
 * The record and release lines of a notification say stored values — a run's status, its
 * trigger, a release's trigger, durations — in the channel's language: a zh-CN channel reads
 * 失败 / 手动 / 回滚 / 分钟 and 秒, an English one keeps the records table's words.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NotificationMessage } from '../../src/server/notify/notification-message.js';
import { renderMessage } from '../../src/server/notify/notification-text.js';

const run: NotificationMessage = {
  event: 'run.failed',
  project: 'shop',
  url: 'https://ci.example.com/projects/shop/runs/12',
  at: 1,
  run: {
    number: 12,
    record: 'fix-login',
    status: 'failed',
    actor: 'bob',
    trigger: 'manual',
    ref: 'main',
    sha: '1a2b3c4d5e6f',
    durationMs: 349_000,
    stages: [
      { name: 'build', status: 'succeeded' },
      { name: 'test', status: 'failed' },
    ],
    failure: null,
  },
};

const release: NotificationMessage = {
  event: 'release.rolled_back',
  project: 'shop',
  url: 'https://ci.example.com/projects/shop/apps',
  at: 1,
  release: {
    number: 4,
    application: 'web',
    environment: 'production',
    image: 'shop:1.2',
    trigger: 'rollback',
    actor: 'alice',
    reason: null,
    durationMs: 60_000,
  },
};

const summary: NotificationMessage = {
  event: 'summary.weekly',
  project: 'shop',
  url: 'https://ci.example.com/projects/shop/insights',
  at: 1,
  summary: {
    from: 0,
    to: 1,
    runs: 10,
    succeeded: 9,
    failed: 1,
    medianDurationMs: 83_000,
    releases: 2,
    releasesSucceeded: 2,
    releasesFailed: 0,
    rollbacks: 0,
  },
};

test('a zh-CN channel reads the record line in Chinese: status, trigger and duration', () => {
  const [line] = renderMessage(run, 'zh-CN').lines;
  assert.equal(line, '#12  fix-login  手动 (bob)  main·1a2b3c4  ✅-❌ 失败  耗时 5 分钟 49 秒');
  const [english] = renderMessage(run, 'en').lines;
  assert.equal(english, '#12  fix-login  manual (bob)  main·1a2b3c4  ✅-❌ failed  took 5 min 49 s');
});

test('a zh-CN channel reads the release line and the weekly median in Chinese', () => {
  const [line] = renderMessage(release, 'zh-CN').lines;
  assert.equal(line, '镜像: shop:1.2  操作人 alice (回滚)  耗时 1 分钟 0 秒');
  assert.equal(renderMessage(release, 'en').lines[0], 'image: shop:1.2  by alice (rollback)  took 1 min 0 s');
  assert.match(renderMessage(summary, 'zh-CN').lines.join('\n'), /执行时长中位数：1 分钟 23 秒/);
  assert.match(renderMessage(summary, 'en').lines.join('\n'), /median run duration: 1 min 23 s/);
});

test('a status or trigger a newer server stores is shown as stored, not dropped', () => {
  const newer = {
    ...run,
    run: { ...(run.run as NonNullable<NotificationMessage['run']>), status: 'paused' },
  };
  assert.match(renderMessage(newer, 'zh-CN').lines[0] ?? '', /❌ paused {2}耗时/);
});
