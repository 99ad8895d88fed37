import { useMemo } from 'react';
import { Chart } from '../../../components/chart/Chart.js';
import type { ChartSpec } from '../../../components/chart/chart-spec.js';
import type { TFunction } from '../../../i18n/index.js';
import type { BehaviourReport } from './behaviour-api.js';

/** Visitors, views, events and errors per hour or day (loaded lazily with the chart library). */
export function BehaviourCharts({ report, t }: { report: BehaviourReport; t: TFunction }) {
  const spec = useMemo<ChartSpec>(() => {
    const values = (pick: (b: BehaviourReport['series'][number]) => number) => report.series.map(pick);
    return {
      x: { kind: 'time', values: report.series.map((b) => b.at) },
      xLabel: t('chart.time'),
      integer: true,
      series: [
        { label: t('behaviour.visitors'), values: values((b) => b.visitors), color: 'var(--accent)' },
        { label: t('behaviour.views'), values: values((b) => b.views), color: '#10b981' },
        { label: t('behaviour.events'), values: values((b) => b.events), color: '#8b5cf6' },
        { label: t('behaviour.errors'), values: values((b) => b.errors), color: 'var(--bad)' },
      ],
    };
  }, [report, t]);
  return (
    <figure className="behaviour-chart">
      <figcaption>{t('behaviour.overTime')}</figcaption>
      <Chart spec={spec} height={240} label={t('behaviour.overTime')} />
    </figure>
  );
}

export default BehaviourCharts;
