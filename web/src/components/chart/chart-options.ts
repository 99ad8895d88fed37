import uPlot from 'uplot';
import { type ChartMarker, type ChartSpec, formatValue, formatX, stackedValues } from './chart-spec.js';

/** Colours of series without one: distinguishable in both themes. */
const PALETTE = ['#3b82f6', '#f59e0b', '#10b981', '#8b5cf6', '#ef4444', '#06b6d4', '#ec4899', '#84cc16'];

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
    lang: string;
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
        return { label: s.label, stroke: color, width: 2, spanGaps: true, points: { show: false }, value };
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
          values: (u, splits) => {
            const span = (u.scales.x?.max ?? 0) - (u.scales.x?.min ?? 0);
            return splits.map((v) => formatX(x, v, lang, span <= 2 * 86_400_000));
          },
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
    ctx.fillStyle = theme.text;
    ctx.fillText(m.label, at, top - 2 * dpr);
  }
  ctx.restore();
}
