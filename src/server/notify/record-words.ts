/**
 * The words of a notification's record and release lines that come from stored values — a run's
 * status, what triggered a run or a release — in the channel's language. A value this list does
 * not know is shown as stored (a newer server's word beats a blank).
 */
import { DURATION_UNITS, formatDuration } from '../../domain/duration.js';

type Language = 'en' | 'zh-CN';

const STATUS_ZH: Readonly<Record<string, string>> = {
  pending: '等待中',
  queued: '排队中',
  running: '运行中',
  succeeded: '成功',
  failed: '失败',
  canceled: '已取消',
  skipped: '已跳过',
};

/** Run triggers (push, tag…) and release triggers (pipeline, promote…) share this list. */
const TRIGGER_ZH: Readonly<Record<string, string>> = {
  push: '推送',
  tag: '标签',
  pull_request: '合并请求',
  manual: '手动',
  cron: '定时',
  api: 'API',
  rerun: '重新执行',
  pipeline: '流水线',
  auto: '自动发布',
  promote: '晋级',
  rollback: '回滚',
  scale: '扩缩容',
};

export function statusWord(status: string, language: Language): string {
  return language === 'zh-CN' ? (STATUS_ZH[status] ?? status) : status;
}

export function triggerWord(trigger: string, language: Language): string {
  return language === 'zh-CN' ? (TRIGGER_ZH[trigger] ?? trigger) : trigger;
}

/** "5 min 49 s" / "5 分钟 49 秒". */
export function durationWords(ms: number, language: Language): string {
  return formatDuration(ms, DURATION_UNITS[language]);
}
