import { MarkLineComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { useMemo } from 'react';
import type { TimelineJson } from '../../../../src/server/impact/impact-json.js';
import type { TFunction } from '../../i18n/index.js';
import { type ChartOption, EChart } from '../insights/EChart.js';

// The insights chart wrapper registers lines, bars, grid, tooltip and legend; release markers
// need markLine too. Registering is idempotent, so both pages can load in either order.
echarts.use([MarkLineComponent]);

const COLORS: Record<string, string> = {
  better: '#177245',
  no_change: '#5d6677',
  worse: '#b42318',
  not_enough_data: '#8a5a00',
  not_live: '#9aa3b2',
};

/**
 * The timeline of an environment: requests, error rate and p95 per step, each with the releases
 * as vertical marker lines coloured by their verdict (a time axis, so markers fall between steps).
 */
export function ImpactTimeline({ timeline, t }: { timeline: TimelineJson; t: TFunction }) {
  const { traffic, errors, latency } = useMemo(() => optionsOf(timeline, t), [timeline, t]);
  return (
    <div className="impact-charts">
      <figure data-testid="impact-chart-traffic">
        <figcaption>{t('impact.chart.traffic')}</figcaption>
        <EChart option={traffic} label={t('impact.chart.traffic')} height={220} />
      </figure>
      <figure data-testid="impact-chart-errors">
        <figcaption>{t('impact.chart.errors')}</figcaption>
        <EChart option={errors} label={t('impact.chart.errors')} height={220} />
      </figure>
      <figure data-testid="impact-chart-latency">
        <figcaption>{t('impact.chart.latency')}</figcaption>
        <EChart option={latency} label={t('impact.chart.latency')} height={220} />
      </figure>
    </div>
  );
}

function optionsOf(timeline: TimelineJson, t: TFunction) {
  const markLine = {
    symbol: 'none' as const,
    label: { formatter: (p: { name?: string }) => p.name ?? '', fontSize: 11 },
    data: timeline.markers.map((m) => ({
      name: `#${m.number}`,
      xAxis: m.at,
      lineStyle: { color: COLORS[m.verdict ?? 'not_live'], type: 'dashed' as const, width: 1.5 },
    })),
  };
  const series = (name: string, data: (number | null)[], color?: string) => ({
    type: 'line' as const,
    name,
    showSymbol: false,
    ...(color ? { color } : {}),
    data: timeline.points.map((p, i) => [p.t, data[i] ?? null]),
  });
  const chart = (main: ReturnType<typeof series>, more: ReturnType<typeof series>[] = []): ChartOption => ({
    // Legend below the axis: the release labels of the marker lines take the top edge.
    grid: { left: 52, right: 16, top: 24, bottom: 52 },
    tooltip: { trigger: 'axis' },
    legend: { bottom: 0 },
    xAxis: { type: 'time', min: timeline.from, max: timeline.to },
    yAxis: { type: 'value' },
    series: [{ ...main, markLine }, ...more],
  });
  const points = timeline.points;
  return {
    traffic: chart(
      series(
        t('impact.series.requests'),
        points.map((p) => p.requests),
      ),
      points.some((p) => p.canaryRequests > 0)
        ? [
            series(
              t('impact.series.canary'),
              points.map((p) => p.canaryRequests),
              '#d48806',
            ),
          ]
        : [],
    ),
    errors: chart(
      series(
        t('impact.series.errorRate'),
        points.map((p) => (p.errorRate === null ? null : Math.round(p.errorRate * 10_000) / 100)),
        '#b42318',
      ),
    ),
    latency: chart(
      series(
        t('impact.series.p95'),
        points.map((p) => p.p95),
      ),
    ),
  };
}
