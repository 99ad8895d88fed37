import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useI18n } from '../../app/i18n-context.js';
import type { Lang } from '../../i18n/index.js';
import { chartData, chartOptions, readTheme, resolveColor } from './chart-options.js';
import { type ChartSpec, formatValue, formatX } from './chart-spec.js';
import './chart.css';

/**
 * One chart of the insights and impact pages: uPlot on a canvas (small, fast with thousands of
 * points), sized to its container and redrawn when it resizes, coloured from the page's CSS
 * variables (light or dark), with uPlot's live legend as the hover read-out. The canvas is
 * invisible to screen readers; a visually hidden table next to it carries the same numbers (and
 * the markers), so they can be read — and tested — as text.
 */
export function Chart({
  spec,
  label,
  height = 220,
  markersLabel,
}: {
  spec: ChartSpec;
  label: string;
  height?: number;
  /** Heading of the markers' list for screen readers ("Releases"). */
  markersLabel?: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const { lang } = useI18n();
  const scheme = useColorScheme();
  // biome-ignore lint/correctness/useExhaustiveDependencies: `scheme` rebuilds the chart in the new theme's colours
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const options = chartOptions(spec, {
      width: Math.max(120, el.clientWidth),
      height,
      theme: readTheme(el),
      lang,
      color: (c) => resolveColor(el, c),
      onDraw: () => el.setAttribute('data-chart-drawn', ''),
    });
    const plot = new uPlot(options, chartData(spec), el);
    let width = el.clientWidth;
    const observer = new ResizeObserver(() => {
      // Only the width follows the container; re-setting the same size would redraw for nothing.
      if (el.clientWidth === width || el.clientWidth === 0) return;
      width = el.clientWidth;
      plot.setSize({ width: Math.max(120, width), height });
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      plot.destroy();
      el.removeAttribute('data-chart-drawn');
    };
  }, [spec, height, lang, scheme]);
  return (
    <div className="chart">
      <div ref={box} className="chart-canvas" aria-hidden="true" />
      <ChartTable spec={spec} label={label} lang={lang} markersLabel={markersLabel} />
    </div>
  );
}

/** The chart's numbers as a table (and its markers as a list), for screen readers and tests. */
function ChartTable({
  spec,
  label,
  lang,
  markersLabel,
}: {
  spec: ChartSpec;
  label: string;
  lang: Lang;
  markersLabel: string | undefined;
}) {
  const xs = spec.x.kind === 'time' ? spec.x.values : spec.x.labels.map((_, i) => i);
  const markers = spec.markers ?? [];
  return (
    <div className="sr-only">
      <table className="chart-data">
        <caption>{label}</caption>
        <thead>
          <tr>
            <th scope="col">{spec.xLabel}</th>
            {spec.series.map((s) => (
              <th key={s.label} scope="col">
                {s.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {xs.map((x, i) => (
            <tr key={x}>
              <th scope="row">{formatX(spec.x, x, lang)}</th>
              {spec.series.map((s) => (
                <td key={s.label}>{formatValue(spec, s.values[i])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {markers.length > 0 ? (
        <>
          <p>{markersLabel}</p>
          <ul>
            {markers.map((m) => (
              <li key={`${m.label}-${m.at}`}>
                {m.label} {m.note ?? ''} {formatX(spec.x, m.at, lang)}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}

/** Bumps when the system switches between light and dark, so charts re-read their colours. */
function useColorScheme(): number {
  const [n, setN] = useState(0);
  useEffect(() => {
    const query = window.matchMedia('(prefers-color-scheme: dark)');
    const changed = () => setN((v) => v + 1);
    query.addEventListener('change', changed);
    return () => query.removeEventListener('change', changed);
  }, []);
  return n;
}
