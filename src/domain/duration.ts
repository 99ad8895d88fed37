/** Parses `90s`, `10m`, `1h30m`, `1h 30m`, `500ms` into milliseconds; null when malformed. */
export function parseDuration(text: string): number | null {
  const compact = text.replace(/\s+/g, '');
  if (!/^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/.test(compact)) return null;
  let total = 0;
  for (const match of compact.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    const unit = match[2];
    total += Number(match[1]) * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000);
  }
  return total > 0 ? Math.round(total) : null;
}

/** The unit words of a duration: English by default; the server's Chinese texts pass theirs. */
export interface DurationUnits {
  ms: string;
  s: string;
  min: string;
  h: string;
}

export const DURATION_UNITS = {
  en: { ms: 'ms', s: 's', min: 'min', h: 'h' },
  'zh-CN': { ms: '毫秒', s: '秒', min: '分钟', h: '小时' },
} as const satisfies Record<string, DurationUnits>;

/** "5 min 49 s", "820 ms", "1 h 2 min" — the wording of the records table. */
export function formatDuration(ms: number, units: DurationUnits = DURATION_UNITS.en): string {
  if (ms < 1000) return `${Math.round(ms)} ${units.ms}`;
  const totalSeconds = Math.round(ms / 1000);
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  if (h > 0) return `${h} ${units.h} ${m} ${units.min}`;
  if (m > 0) return `${m} ${units.min} ${s} ${units.s}`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} ${units.s}`;
  return `${s} ${units.s}`;
}
