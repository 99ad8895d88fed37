import type { Lang, TFunction } from './index.js';
import { formatDateTime, relativeTime } from './intl-time.js';

/**
 * Durations and relative times in the current language: "5 min 49 s" / "5 分钟 49 秒",
 * "1 hour ago" / "1小时前". Short and rounded, as a records table wants them.
 */
export function formatDuration(ms: number, t: TFunction): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return t('time.hm', { h, m });
  if (m > 0) return t('time.ms', { m, s });
  return t('time.s', { s });
}

/** "1 hour ago" / "1小时前": `Intl.RelativeTimeFormat` in the UI language (see intl-time.ts). */
export function formatAgo(at: number, now: number, lang: Lang): string {
  return relativeTime(at, now, lang).text;
}

/** An absolute timestamp in the UI language (`Intl.DateTimeFormat`, see intl-time.ts). */
export function formatTime(at: number, lang: string): string {
  return formatDateTime(at, lang === 'zh-CN' ? 'zh-CN' : 'en');
}
