import { useMemo } from 'react';
import type { InsightsSummaryJson } from '../../../../src/server/insights/insights-json.js';
import { useI18n } from '../../app/i18n-context.js';
import type { TFunction } from '../../i18n/index.js';
import { type ChartOption, EChart } from './EChart.js';
import { segmentLabel, weekLabel } from './insights-format.js';

const HOUR = 3_600_000;
const hours = (ms: number | null) => (ms === null ? null : Math.round((ms / HOUR) * 10) / 10);
const base = { grid: { left: 48, right: 16, top: 36, bottom: 28 }, tooltip: { trigger: 'axis' as const } };

/** The weekly trend charts: deployments and failures, median lead time, and where lead time goes. */
export function InsightsCharts({ summary, t }: { summary: InsightsSummaryJson; t: TFunction }) {
  const { lang } = useI18n();
  const weeks = summary.weeks.map((w) => weekLabel(w.week, lang));
  const deploys = useMemo<ChartOption>(
    () => ({
      ...base,
      legend: { top: 0 },
      xAxis: { type: 'category', data: weeks },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { type: 'bar', name: t('insights.series.deploys'), data: summary.weeks.map((w) => w.deployments) },
        {
          type: 'bar',
          name: t('insights.series.failures'),
          data: summary.weeks.map((w) => w.failures),
          color: '#d4380d',
        },
      ],
    }),
    [summary, t, weeks],
  );
  const lead = useMemo<ChartOption>(
    () => ({
      ...base,
      xAxis: { type: 'category', data: weeks },
      yAxis: { type: 'value' },
      series: [
        {
          type: 'line',
          name: t('insights.series.lead'),
          connectNulls: true,
          data: summary.weeks.map((w) => hours(w.leadTimeMedianMs)),
        },
      ],
    }),
    [summary, t, weeks],
  );
  const stream = useMemo<ChartOption>(
    () => ({
      ...base,
      grid: { ...base.grid, top: 64 },
      legend: { top: 0, type: 'plain' },
      xAxis: { type: 'category', data: weeks },
      yAxis: { type: 'value' },
      series: summary.segments.map((key) => ({
        type: 'bar' as const,
        stack: 'lead',
        name: segmentLabel(key, t),
        data: summary.weeks.map((w) => hours(w.valueStream[key] ?? 0)),
      })),
    }),
    [summary, t, weeks],
  );
  return (
    <div className="insights-charts">
      <figure>
        <figcaption>{t('insights.chart.deploys')}</figcaption>
        <EChart option={deploys} label={t('insights.chart.deploys')} />
      </figure>
      <figure>
        <figcaption>{t('insights.chart.lead')}</figcaption>
        <EChart option={lead} label={t('insights.chart.lead')} />
      </figure>
      <figure className="wide" data-testid="insights-value-stream">
        <figcaption>{t('insights.chart.stream')}</figcaption>
        <EChart option={stream} height={300} label={t('insights.chart.stream')} />
      </figure>
    </div>
  );
}
