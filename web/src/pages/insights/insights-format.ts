import type { InsightsSummaryJson } from '../../../../src/api/insights.js';
import { formatDuration } from '../../i18n/format.js';
import { type Lang, type TFunction, tCode } from '../../i18n/index.js';
import { formatDayUtc } from '../../i18n/intl-time.js';

/** Texts of insights values: durations that may be missing, rates, segment names. */
export function duration(ms: number | null, t: TFunction): string {
  if (ms === null) return '—';
  const days = Math.floor(ms / 86_400_000);
  return days >= 2 ? `${days} d ${formatDuration(ms % 86_400_000, t)}` : formatDuration(ms, t);
}

export function percent(rate: number | null): string {
  return rate === null ? '—' : `${Math.round(rate * 1000) / 10}%`;
}

export function segmentLabel(key: string, t: TFunction): string {
  if (key.startsWith('stage:')) {
    const name = key.slice('stage:'.length);
    return name ? t('insights.seg.stage', { name }) : t('insights.seg.other');
  }
  return tCode(t, 'insights.seg', key, key);
}

export function bandLabel(band: InsightsSummaryJson['band'], t: TFunction): string {
  return t(`insights.band.${band ?? 'none'}`);
}

/** The day a week starts (UTC), in the UI language: the chart's category. */
export function weekLabel(week: number, lang: Lang): string {
  return formatDayUtc(week, lang);
}
