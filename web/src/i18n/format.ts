import type { Lang, TFunction } from './index.js';
import { formatDateTime, relativeTime } from './intl-time.js';

/**
 * Durations and relative times in the current language: "5 min 49 s" / "5 分钟 49 秒",
 * "about 1 hour ago" / "约 1 小时前". Short and rounded, as a records table wants them.
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

/** With `lang`, `Intl.RelativeTimeFormat` words it ("1 hour ago" / "1小时前"). */
export function formatAgo(at: number, now: number, t: TFunction, lang?: Lang): string {
  if (lang) return relativeTime(at, now, lang).text;
  const sec = Math.max(0, Math.round((now - at) / 1000));
  if (sec < 45) return t('ago.now');
  const min = Math.round(sec / 60);
  if (min < 45) return t(min === 1 ? 'ago.minute' : 'ago.minutes', { n: min });
  const hours = Math.round(sec / 3600);
  if (hours < 22) return t(hours === 1 ? 'ago.hour' : 'ago.hours', { n: hours });
  const days = Math.round(sec / 86400);
  if (days < 30) return t(days === 1 ? 'ago.day' : 'ago.days', { n: days });
  const months = Math.round(days / 30);
  if (months < 12) return t(months === 1 ? 'ago.month' : 'ago.months', { n: months });
  const years = Math.round(days / 365);
  return t(years === 1 ? 'ago.year' : 'ago.years', { n: years });
}

/** An absolute timestamp in the UI language (`Intl.DateTimeFormat`, see intl-time.ts). */
export function formatTime(at: number, lang: string): string {
  return formatDateTime(at, lang === 'zh-CN' ? 'zh-CN' : 'en');
}
