import { useMemo } from 'react';
import type { InsightsSummaryJson } from '../../../../src/api/insights.js';
import { useI18n } from '../../app/i18n-context.js';
import { Chart } from '../../components/chart/Chart.js';
import type { ChartSpec } from '../../components/chart/chart-spec.js';
import type { TFunction } from '../../i18n/index.js';
import { segmentLabel, weekLabel } from './insights-format.js';

const HOUR = 3_600_000;
const hours = (ms: number | null) => (ms === null ? null : Math.round((ms / HOUR) * 10) / 10);

/** The weekly trend charts: deployments and failures, median lead time, and where lead time goes. */
export function InsightsCharts({ summary, t }: { summary: InsightsSummaryJson; t: TFunction }) {
  const { lang } = useI18n();
  const specs = useMemo(() => {
    const x = { kind: 'category' as const, labels: summary.weeks.map((w) => weekLabel(w.week, lang)) };
    const xLabel = t('chart.week');
    const deploys: ChartSpec = {
      x,
      xLabel,
      integer: true,
      series: [
        {
          kind: 'bars',
          label: t('insights.series.deploys'),
          values: summary.weeks.map((w) => w.deployments),
          color: 'var(--accent)',
        },
        {
          kind: 'bars',
          label: t('insights.series.failures'),
          values: summary.weeks.map((w) => w.failures),
          color: 'var(--bad)',
        },
      ],
    };
    const lead: ChartSpec = {
      x,
      xLabel,
      series: [
        {
          label: t('insights.series.lead'),
          values: summary.weeks.map((w) => hours(w.leadTimeMedianMs)),
          color: 'var(--accent)',
        },
      ],
    };
    const stream: ChartSpec = {
      x,
      xLabel,
      stacked: true,
      series: summary.segments.map((key) => ({
        kind: 'bars' as const,
        label: segmentLabel(key, t),
        values: summary.weeks.map((w) => hours(w.valueStream[key] ?? 0)),
      })),
    };
    return { deploys, lead, stream };
  }, [summary, t, lang]);
  return (
    <div className="insights-charts">
      <figure data-testid="insights-deploys-chart">
        <figcaption>{t('insights.chart.deploys')}</figcaption>
        <Chart spec={specs.deploys} label={t('insights.chart.deploys')} />
      </figure>
      <figure data-testid="insights-lead-chart">
        <figcaption>{t('insights.chart.lead')}</figcaption>
        <Chart spec={specs.lead} label={t('insights.chart.lead')} />
      </figure>
      <figure className="wide" data-testid="insights-value-stream">
        <figcaption>{t('insights.chart.stream')}</figcaption>
        <Chart spec={specs.stream} height={300} label={t('insights.chart.stream')} />
      </figure>
    </div>
  );
}
