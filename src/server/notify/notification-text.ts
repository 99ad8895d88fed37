import { type Status, statusIcon } from '../../domain/status.js';
import type { NotificationMessage, RunPart } from './notification-message.js';
import { releaseReasonWords, runFailureWords } from './reason-words.js';
import { durationWords, statusWord, triggerWord } from './record-words.js';

export type NotifyLanguage = 'en' | 'zh-CN';

/** A message in words: a title, body lines (plain text) and the link. */
export interface RenderedMessage {
  title: string;
  lines: string[];
  url: string;
  /** The link's label. */
  linkText: string;
}

type Words = Record<
  | 'run.failed'
  | 'run.fixed'
  | 'run.succeeded'
  | 'release.succeeded'
  | 'release.failed'
  | 'release.rolled_back'
  | 'approval.requested'
  | 'summary.weekly'
  | 'test'
  | 'took'
  | 'by'
  | 'open'
  | 'reason'
  | 'image'
  | 'summaryRuns'
  | 'summaryReleases'
  | 'summaryMedian'
  | 'testBody',
  string
>;

/** Every sentence a channel receives, in both languages (the server renders outbound text). */
const WORDS: Record<NotifyLanguage, Words> = {
  en: {
    'run.failed': 'failed',
    'run.fixed': 'fixed',
    'run.succeeded': 'succeeded',
    'release.succeeded': 'released',
    'release.failed': 'release failed',
    'release.rolled_back': 'rolled back',
    'approval.requested': 'waits for approval',
    'summary.weekly': 'weekly delivery summary',
    test: 'test message',
    took: 'took',
    by: 'by',
    open: 'Open in Slipway',
    reason: 'reason',
    image: 'image',
    summaryRuns: 'runs: {runs} ({succeeded} succeeded, {failed} failed, success rate {rate})',
    summaryReleases: 'releases: {releases} ({ok} succeeded, {failed} failed, {rollbacks} rolled back)',
    summaryMedian: 'median run duration: {median}',
    testBody: 'If you can read this, the channel works.',
  },
  'zh-CN': {
    'run.failed': '失败',
    'run.fixed': '已修复',
    'run.succeeded': '成功',
    'release.succeeded': '发布成功',
    'release.failed': '发布失败',
    'release.rolled_back': '已回滚',
    'approval.requested': '等待审批',
    'summary.weekly': '每周交付摘要',
    test: '测试消息',
    took: '耗时',
    by: '操作人',
    open: '在 Slipway 中查看',
    reason: '原因',
    image: '镜像',
    summaryRuns: '执行：{runs} 次（成功 {succeeded}，失败 {failed}，成功率 {rate}）',
    summaryReleases: '发布：{releases} 次（成功 {ok}，失败 {failed}，回滚 {rollbacks}）',
    summaryMedian: '执行时长中位数：{median}',
    testBody: '看到这条消息，说明通知渠道已配置成功。',
  },
};

const EVENT_ICON: Record<NotificationMessage['event'], string> = {
  'run.failed': '❌',
  'run.fixed': '✅',
  'run.succeeded': '✅',
  'release.succeeded': '🚀',
  'release.failed': '❌',
  'release.rolled_back': '↩️',
  'approval.requested': '⏸',
  'summary.weekly': '📊',
  test: '🔔',
};

export function renderMessage(message: NotificationMessage, language: NotifyLanguage): RenderedMessage {
  const w = WORDS[language];
  const icon = EVENT_ICON[message.event];
  const project = message.project ?? 'Slipway';
  const lines: string[] = [];
  let subject = project;
  if (message.run) {
    subject = `${project} #${message.run.number}`;
    lines.push(recordLine(message.run, language));
    const failure = runFailureWords(message.run, language);
    if (failure) lines.push(`${w.reason}: ${failure}`);
  }
  if (message.release) {
    const r = message.release;
    subject = `${project} ${r.application} → ${r.environment} #${r.number}`;
    const took = r.durationMs === null ? '' : `  ${w.took} ${durationWords(r.durationMs, language)}`;
    lines.push(
      `${w.image}: ${r.image ?? '-'}  ${w.by} ${r.actor} (${triggerWord(r.trigger, language)})${took}`,
    );
    const reason = releaseReasonWords(r, language);
    if (reason) lines.push(`${w.reason}: ${reason}`);
  }
  if (message.summary) {
    const s = message.summary;
    const rate = s.runs === 0 ? '-' : `${Math.round((s.succeeded / s.runs) * 100)}%`;
    lines.push(
      fill(w.summaryRuns, { runs: s.runs, succeeded: s.succeeded, failed: s.failed, rate }),
      fill(w.summaryReleases, {
        releases: s.releases,
        ok: s.releasesSucceeded,
        failed: s.releasesFailed,
        rollbacks: s.rollbacks,
      }),
      fill(w.summaryMedian, {
        median: s.medianDurationMs === null ? '-' : durationWords(s.medianDurationMs, language),
      }),
    );
  }
  if (message.event === 'test') lines.push(w.testBody);
  return { title: `${icon} ${subject} ${w[message.event]}`, lines, url: message.url, linkText: w.open };
}

/**
 * The execution records table's line (the seed's record line, as `slipway runs` prints it):
 * `#12 fix-login  alice  main·1a2b3c4  ✅-❌ failed  took 5 min 49 s`.
 */
export function recordLine(run: RunPart, language: NotifyLanguage): string {
  const w = WORDS[language];
  const icons =
    run.stages.map((s) => statusIcon(s.status as Status)).join('-') || statusIcon(run.status as Status);
  const who = run.trigger === 'manual' ? `${triggerWord('manual', language)} (${run.actor})` : run.actor;
  return [
    `#${run.number}`,
    run.record,
    who,
    `${run.ref}·${run.sha.slice(0, 7)}`,
    `${icons} ${statusWord(run.status, language)}`,
    run.durationMs === null ? '' : `${w.took} ${durationWords(run.durationMs, language)}`,
  ]
    .filter(Boolean)
    .join('  ');
}

function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => String(values[key] ?? ''));
}

/** Markdown of a rendered message (Slack's mrkdwn differs: see channel-formats.ts). */
export function toMarkdown(m: RenderedMessage): string {
  return [`### ${m.title}`, ...m.lines.map((l) => `- ${l}`), `[${m.linkText}](${m.url})`].join('\n');
}

/** Plain text (e-mail body, WeCom/Feishu fallbacks). */
export function toPlainText(m: RenderedMessage): string {
  return [m.title, '', ...m.lines, '', `${m.linkText}: ${m.url}`].join('\n');
}
