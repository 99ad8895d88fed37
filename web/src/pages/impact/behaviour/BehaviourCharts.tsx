import { useMemo } from 'react';
import { useI18n } from '../../../app/i18n-context.js';
import type { TFunction } from '../../../i18n/index.js';
import { formatDate, formatDateHour } from '../../../i18n/intl-time.js';
import { type ChartOption, EChart } from '../../insights/EChart.js';
import type { BehaviourReport } from './behaviour-api.js';

/** Visitors, views, events and errors per hour or day (loaded lazily: echarts is heavy). */
export function BehaviourCharts({ report, t }: { report: BehaviourReport; t: TFunction }) {
  const { lang } = useI18n();
  const option = useMemo<ChartOption>(() => {
    const daily = report.bucketMs >= 86_400_000;
    const label = (at: number) => (daily ? formatDate(at, lang) : formatDateHour(at, lang));
    const x = report.series.map((b) => label(b.at));
    const line = (name: string, data: number[]) => ({ type: 'line' as const, name, data, smooth: true });
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 40, right: 12, top: 36, bottom: 28 },
      xAxis: { type: 'category', data: x },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        line(
          t('behaviour.visitors'),
          report.series.map((b) => b.visitors),
        ),
        line(
          t('behaviour.views'),
          report.series.map((b) => b.views),
        ),
        line(
          t('behaviour.events'),
          report.series.map((b) => b.events),
        ),
        {
          ...line(
            t('behaviour.errors'),
            report.series.map((b) => b.errors),
          ),
          color: '#cf1322',
        },
      ],
    } as ChartOption;
  }, [report, t, lang]);
  return (
    <figure className="behaviour-chart">
      <figcaption>{t('behaviour.overTime')}</figcaption>
      <EChart option={option} height={240} label={t('behaviour.overTime')} />
    </figure>
  );
}

export default BehaviourCharts;
