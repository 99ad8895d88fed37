import uPlot from 'uplot';
import type { Lang } from '../../i18n/index.js';
import { formatChartTime } from '../../i18n/intl-time.js';
import { type ChartMarker, type ChartSpec, formatValue, formatX, stackedValues } from './chart-spec.js';

/**
 * Colours of series without one: distinguishable in both themes, and enough of them for every
 * value-stream segment (commit → push … rollout, plus a few pipeline stages) without a repeat.
 */
const PALETTE = [
  '#3b82f6',
  '#f59e0b',
  '#10b981',
  '#8b5cf6',
  '#ef4444',
  '#06b6d4',
  '#ec4899',
  '#84cc16',
  '#a16207',
  '#64748b',
  '#14b8a6',
  '#f97316',
];

/** The page's theme, read from its CSS variables when the chart is built (light or dark). */
export interface ChartTheme {
  text: string;
  muted: string;
  line: string;
  font: string;
}

export function readTheme(el: Element): ChartTheme {
  const style = getComputedStyle(el);
  const v = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    text: v('--text', '#1d2330'),
    muted: v('--muted', '#5d6677'),
    line: v('--line', '#dde1e8'),
    font: `11px ${style.fontFamily || 'sans-serif'}`,
  };
}

/** `var(--bad)` → the variable's value on `el`; any other colour unchanged. */
export function resolveColor(el: Element, color: string): string {
  const m = /^var\((--[\w-]+)\)$/.exec(color.trim());
  return m
    ? getComputedStyle(el)
        .getPropertyValue(m[1] as string)
        .trim() || '#888'
    : color;
}

/** The uPlot data table: x first, then each series (stacked sums when the bars stack). */
export function chartData(spec: ChartSpec): uPlot.AlignedData {
  const xs = spec.x.kind === 'time' ? spec.x.values : spec.x.labels.map((_, i) => i);
  const ys = spec.stacked ? stackedValues(spec.series) : spec.series.map((s) => s.values);
  return [xs, ...ys] as uPlot.AlignedData;
}

/** uPlot options for a spec at a width, themed, with release markers drawn on the plot. */
export function chartOptions(
  spec: ChartSpec,
  opts: {
    width: number;
    height: number;
    theme: ChartTheme;
    lang: Lang;
    color: (c: string) => string;
    /** Called after every draw (the component marks itself drawn for tests and the bench). */
    onDraw?: () => void;
  },
): uPlot.Options {
  const { theme, lang } = opts;
  const { x } = spec;
  const bars = spec.series.filter((s) => s.kind === 'bars').length;
  let barIndex = 0;
  const series: uPlot.Series[] = [
    { label: spec.xLabel, value: (_u, v) => (v === null ? '–' : formatX(x, v, lang)) },
    ...spec.series.map((s, i): uPlot.Series => {
      const color = opts.color(s.color ?? (PALETTE[i % PALETTE.length] as string));
      // Legend and tooltip read each series' own value, also where the drawn value is a stack sum.
      const value = (_u: uPlot, _v: number | null, _si: number, idx: number | null) =>
        idx === null ? '–' : formatValue(spec, s.values[idx]);
      if (s.kind !== 'bars') {
        // Points only where uPlot finds room for them (its default): a week with the only value
        // of a sparse series still shows, a dense timeline stays a line.
        return { label: s.label, stroke: color, width: 2, spanGaps: true, value };
      }
      // Side by side when two bar series share an x (deploys and failures); one bar when stacked.
      const align = spec.stacked || bars < 2 ? 0 : barIndex++ === 0 ? -1 : 1;
      const size: [number, number] = spec.stacked || bars < 2 ? [0.7, 48] : [0.35, 24];
      return {
        label: s.label,
        stroke: color,
        fill: color,
        width: 0,
        paths: uPlot.paths.bars?.({ size, align }),
        points: { show: false },
        value,
      };
    }),
  ];
  const axis = (extra: uPlot.Axis): uPlot.Axis => ({
    stroke: theme.muted,
    font: theme.font,
    grid: { stroke: theme.line, width: 1 },
    ticks: { stroke: theme.line, width: 1 },
    ...extra,
  });
  const n = x.kind === 'category' ? x.labels.length : 0;
  const xAxis =
    x.kind === 'category'
      ? axis({
          // Only whole positions are categories; the axis spaces them to fit the width.
          incrs: [1, 2, 4, 8, 13, 26, 52, 104],
          values: (_u, splits) => splits.map((v) => (Number.isInteger(v) ? formatX(x, v, lang) : '')),
          grid: { show: false },
        })
      : axis({
          // Room for "Dec 4" or "14:30" under each tick, never overlapping.
          space: 90,
          values: (u, splits) => timeTicks(splits, (u.scales.x?.max ?? 0) - (u.scales.x?.min ?? 0), lang),
          grid: { show: false },
        });
  const yAxis = axis({
    size: 48,
    ...(spec.integer ? { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000] } : {}),
    values: (_u, splits) => splits.map((v) => formatValue(spec, v)),
  });
  const markers = spec.markers ?? [];
  return {
    width: opts.width,
    height: opts.height,
    ms: 1e-3,
    // Room above the plot for the markers' labels.
    padding: [markers.length ? 18 : 8, 12, 0, 0],
    scales: {
      x:
        x.kind === 'category'
          ? { time: false, range: () => [-0.5, Math.max(0.5, n - 0.5)] }
          : { time: true, ...(x.min !== undefined && x.max !== undefined ? { range: [x.min, x.max] } : {}) },
      y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.08 : 1] },
    },
    axes: [xAxis, yAxis],
    series,
    legend: { live: true },
    cursor: { points: { show: false }, drag: { x: false, y: false } },
    hooks: {
      draw: [
        (u) => {
          drawMarkers(u, markers, theme, opts.color);
          opts.onDraw?.();
        },
      ],
    },
  };
}

/** Dashed vertical lines at the markers' times, with their labels above the plot. */
function drawMarkers(
  u: uPlot,
  markers: readonly ChartMarker[],
  theme: ChartTheme,
  color: (c: string) => string,
) {
  if (markers.length === 0) return;
  const { ctx } = u;
  const { top, height, left, width } = u.bbox;
  const dpr = uPlot.pxRatio;
  ctx.save();
  ctx.font = theme.font.replace(/^(\d+)px/, (_m, px: string) => `${Number(px) * dpr}px`);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'bottom';
  // A label is left out where it would overlap the previous one (the line is still drawn; the
  // list next to the chart names every marker).
  let freeFrom = -Infinity;
  for (const m of markers) {
    const at = u.valToPos(m.at, 'x', true);
    if (at < left || at > left + width) continue;
    ctx.strokeStyle = color(m.color);
    ctx.lineWidth = 1.5 * dpr;
    ctx.setLineDash([4 * dpr, 3 * dpr]);
    ctx.beginPath();
    ctx.moveTo(at, top);
    ctx.lineTo(at, top + height);
    ctx.stroke();
    const half = ctx.measureText(m.label).width / 2;
    if (at - half < freeFrom) continue;
    freeFrom = at + half + 4 * dpr;
    ctx.fillStyle = theme.text;
    ctx.fillText(m.label, at, top - 2 * dpr);
  }
  ctx.restore();
}

/**
 * Tick labels of a time axis: hours and minutes over a short span, with the date where the day
 * changes (and on the first tick); dates alone over a longer one.
 */
function timeTicks(splits: number[], span: number, lang: Lang): string[] {
  if (span > 2 * 86_400_000) {
    return splits.map((v) => formatChartTime(v, lang, 'monthDay'));
  }
  let day = '';
  return splits.map((v) => {
    const time = formatChartTime(v, lang, 'timeOfDay');
    const date = formatChartTime(v, lang, 'monthDay');
    if (date === day) return time;
    day = date;
    return `${date} ${time}`;
  });
}
