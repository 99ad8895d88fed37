/**
 * What a chart shows, independent of how it is drawn: the x positions (times or category labels),
 * the series, optional release markers. Pages build a ChartSpec; chart-options.ts turns it into
 * uPlot options and Chart.tsx draws it with a data table next to the canvas.
 */
import type { Lang } from '../../i18n/index.js';
import { formatChartTime } from '../../i18n/intl-time.js';
export interface ChartSeries {
  label: string;
  values: (number | null)[];
  /** A CSS colour or `var(--name)` (resolved from the page's theme when drawn). */
  color?: string;
  /** Line (default) or bars. */
  kind?: 'line' | 'bars';
}

/** A vertical line at a time (a release), labelled above the plot. */
export interface ChartMarker {
  at: number;
  label: string;
  color: string;
  /** Read by screen readers after the label (e.g. the verdict in words). */
  note?: string;
}

export type ChartX =
  | { kind: 'time'; values: number[]; min?: number; max?: number }
  | { kind: 'category'; labels: string[] };

export interface ChartSpec {
  x: ChartX;
  /** Header of the x column in the data table ("Week", "Time"). */
  xLabel: string;
  series: ChartSeries[];
  /** Bars stacked into one bar per x (the first series on top). */
  stacked?: boolean;
  markers?: ChartMarker[];
  /** Whole-number counts: no fractional ticks on the y axis. */
  integer?: boolean;
  /** How a value reads in the legend and the table (default: as is, one decimal at most). */
  format?: (value: number) => string;
}

/** The default look of a value: integers as they are, others to one decimal. */
export function formatValue(spec: Pick<ChartSpec, 'format'>, value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  if (spec.format) return spec.format(value);
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/** How an x position reads: the category label, or the time in the page's language. */
export function formatX(x: ChartX, value: number, lang: Lang, withTime = true): string {
  if (x.kind === 'category') return x.labels[Math.round(value)] ?? '';
  return formatChartTime(value, lang, withTime ? 'monthDayTime' : 'monthDay');
}

/**
 * Stacked bars drawn as overlapping bars: series i carries the sum of series i..n, so the first
 * series is the tallest and is drawn first, and each later one covers its lower part. The legend
 * keeps the series' order and shows each own value (not the sum).
 */
export function stackedValues(series: readonly ChartSeries[]): (number | null)[][] {
  const n = Math.max(0, ...series.map((s) => s.values.length));
  const sums: (number | null)[][] = series.map(() => new Array<number | null>(n).fill(null));
  for (let i = 0; i < n; i++) {
    let total = 0;
    let any = false;
    for (let s = series.length - 1; s >= 0; s--) {
      const v = series[s]?.values[i];
      if (v !== null && v !== undefined) {
        total += v;
        any = true;
      }
      (sums[s] as (number | null)[])[i] = any ? total : null;
    }
  }
  return sums;
}
