import { useMemo } from 'react';
import type { TimelineJson } from '../../../../src/api/impact.js';
import { Chart } from '../../components/chart/Chart.js';
import type { ChartMarker, ChartSpec } from '../../components/chart/chart-spec.js';
import type { TFunction } from '../../i18n/index.js';

/** Marker colours by verdict, from the theme (the same as the verdict chips). */
const COLORS: Record<string, string> = {
  better: 'var(--ok)',
  no_change: 'var(--muted)',
  worse: 'var(--bad)',
  not_enough_data: 'var(--warn)',
  not_live: 'var(--muted)',
};

/**
 * The timeline of an environment: requests, error rate and p95 per step, each with the releases
 * as vertical marker lines coloured by their verdict (a time axis, so markers fall between steps).
 */
export function ImpactTimeline({ timeline, t }: { timeline: TimelineJson; t: TFunction }) {
  const { traffic, errors, latency } = useMemo(() => specsOf(timeline, t), [timeline, t]);
  const chart = (id: string, title: string, spec: ChartSpec) => (
    <figure data-testid={`impact-chart-${id}`}>
      <figcaption>{title}</figcaption>
      <Chart spec={spec} label={title} markersLabel={t('chart.releases')} />
    </figure>
  );
  return (
    <div className="impact-charts">
      {chart('traffic', t('impact.chart.traffic'), traffic)}
      {chart('errors', t('impact.chart.errors'), errors)}
      {chart('latency', t('impact.chart.latency'), latency)}
    </div>
  );
}

function specsOf(timeline: TimelineJson, t: TFunction) {
  const points = timeline.points;
  const markers: ChartMarker[] = timeline.markers.map((m) => ({
    at: m.at,
    label: `#${m.number}`,
    color: COLORS[m.verdict ?? 'not_live'] as string,
    note: t(`impact.verdict.${m.verdict ?? 'not_live'}`),
  }));
  const base = {
    x: { kind: 'time' as const, values: points.map((p) => p.t), min: timeline.from, max: timeline.to },
    xLabel: t('chart.time'),
    markers,
  };
  const traffic: ChartSpec = {
    ...base,
    integer: true,
    series: [
      { label: t('impact.series.requests'), values: points.map((p) => p.requests), color: 'var(--accent)' },
      ...(points.some((p) => p.canaryRequests > 0)
        ? [
            {
              label: t('impact.series.canary'),
              values: points.map((p) => p.canaryRequests),
              color: '#d48806',
            },
          ]
        : []),
    ],
  };
  const errors: ChartSpec = {
    ...base,
    series: [
      {
        label: t('impact.series.errorRate'),
        values: points.map((p) => (p.errorRate === null ? null : Math.round(p.errorRate * 10_000) / 100)),
        color: 'var(--bad)',
      },
    ],
    format: (v) => `${v.toFixed(2)}`,
  };
  const latency: ChartSpec = {
    ...base,
    series: [{ label: t('impact.series.p95'), values: points.map((p) => p.p95), color: 'var(--warn)' }],
    format: (v) => String(Math.round(v)),
  };
  return { traffic, errors, latency };
}
