/**
 * Dates and relative times through `Intl` in the chosen UI language ("1 hour ago" / "1小时前",
 * "5 Dec 2026, 10:31" / "2026年12月5日 10:31"). The formatters are cached per language: the
 * records table formats every row every second while something runs.
 */
import type { Lang } from './index.js';

const relative = new Map<Lang, Intl.RelativeTimeFormat>();
const absolute = new Map<string, Intl.DateTimeFormat>();

/** The absolute forms the UI shows: full stamps in titles, dates alone, chart buckets by hour. */
const ABSOLUTE_STYLES = {
  dateTime: { dateStyle: 'medium', timeStyle: 'short' },
  date: { dateStyle: 'medium' },
  dateHour: { month: 'short', day: 'numeric', hour: 'numeric' },
  // Week starts are UTC midnights: in the reader's zone they could fall on the previous day.
  dayUtc: { month: 'short', day: 'numeric', timeZone: 'UTC' },
  monthDay: { month: 'short', day: 'numeric' },
  monthDayTime: { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' },
  timeOfDay: { hour: '2-digit', minute: '2-digit' },
} satisfies Record<string, Intl.DateTimeFormatOptions>;

function absoluteFormat(lang: Lang, style: keyof typeof ABSOLUTE_STYLES): Intl.DateTimeFormat {
  const key = `${lang} ${style}`;
  let f = absolute.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(lang, ABSOLUTE_STYLES[style]);
    absolute.set(key, f);
  }
  return f;
}

function relativeFormat(lang: Lang): Intl.RelativeTimeFormat {
  let f = relative.get(lang);
  if (!f) {
    f = new Intl.RelativeTimeFormat(lang, { numeric: 'auto', style: 'long' });
    relative.set(lang, f);
  }
  return f;
}

/** Units from the largest down, with how many seconds each holds. */
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86400],
  ['month', 30 * 86400],
  ['week', 7 * 86400],
  ['day', 86400],
  ['hour', 3600],
  ['minute', 60],
];

export interface RelativeTime {
  /** "1 hour ago" / "1小时前"; "now" / "现在" under a minute. */
  text: string;
  /** The unit the text was rounded to: callers say "about" for hours and longer. */
  unit: Intl.RelativeTimeFormatUnit | 'now';
}

/** `at` relative to `now` (both ms), rounded to the largest unit that fits, as people say it. */
export function relativeTime(at: number, now: number, lang: Lang): RelativeTime {
  const seconds = Math.round((at - now) / 1000);
  const size = Math.abs(seconds);
  if (size < 45) return { text: relativeFormat(lang).format(0, 'second'), unit: 'now' };
  for (const [unit, unitSeconds] of UNITS) {
    // Round up from 90% of a unit ("55 min" reads better as "1 hour" than "55 minutes" would not).
    if (size >= unitSeconds * 0.9 || unit === 'minute') {
      const n = Math.max(1, Math.round(size / unitSeconds));
      return { text: relativeFormat(lang).format(seconds < 0 ? -n : n, unit), unit };
    }
  }
  return { text: relativeFormat(lang).format(0, 'second'), unit: 'now' };
}

/** A full date and time for tooltips and `title`s, in the UI language (not the browser's). */
export function formatDateTime(at: number, lang: Lang): string {
  return absoluteFormat(lang, 'dateTime').format(new Date(at));
}

/** A date without the time ("Dec 5, 2026" / "2026年12月5日"): expiry dates, daily chart buckets. */
export function formatDate(at: number, lang: Lang): string {
  return absoluteFormat(lang, 'date').format(new Date(at));
}

/** Month and day of a UTC day start ("Dec 1" / "12月1日"): weekly chart categories. */
export function formatDayUtc(at: number, lang: Lang): string {
  return absoluteFormat(lang, 'dayUtc').format(new Date(at));
}

/** A day and hour ("Dec 5, 10 AM" / "12月5日 10时"): hourly chart buckets. */
export function formatDateHour(at: number, lang: Lang): string {
  return absoluteFormat(lang, 'dateHour').format(new Date(at));
}

/** Chart axis and legend labels: month and day, optionally with the time, or the time alone. */
export function formatChartTime(
  at: number,
  lang: Lang,
  part: 'monthDay' | 'monthDayTime' | 'timeOfDay',
): string {
  return absoluteFormat(lang, part).format(new Date(at));
}

/** A running clock "4:07" / "1:02:09": what a live elapsed time shows, one tick a second. */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
