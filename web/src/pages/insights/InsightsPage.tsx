import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useState } from 'react';
import type { InsightsSummaryJson } from '../../../../src/api/insights.js';
import { apiFetch } from '../../api/http.js';
import { queryKeys } from '../../api/query-keys.js';
import { useI18n } from '../../app/i18n-context.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import type { TFunction } from '../../i18n/index.js';
import { type DrillMetric, InsightsDrillDown } from './InsightsDrillDown.js';
import { bandLabel, duration, percent } from './insights-format.js';
import './insights.css';

// The chart library loads with the charts: the numbers show first, the charts when loaded. The
// chunk is requested as soon as this page's own chunk runs — not when the page first renders
// (a suspended render may wait ~300 ms before React shows it) — so it downloads while the
// summary is computed instead of after it arrives. The module system keeps one request.
const loadCharts = () => import('./InsightsCharts.js');
loadCharts().catch(() => {
  // Offline or a deploy replaced the chunk: the lazy component below asks again and reports it.
});
const InsightsCharts = lazy(() => loadCharts().then((m) => ({ default: m.InsightsCharts })));

const RANGES = ['7d', '30d', '90d', '365d'] as const;

/**
 * 交付洞察: the DORA numbers of a project (or of every project) with their band and weekly trend,
 * where lead time goes, and the releases and commits behind each number.
 */
export default function InsightsPage({ project }: { project?: string }) {
  const { t } = useI18n();
  const [range, setRange] = useState<(typeof RANGES)[number]>('30d');
  const [env, setEnv] = useState('');
  const [app, setApp] = useState('');
  const [drill, setDrill] = useState<DrillMetric | null>(null);
  const params = new URLSearchParams({ since: range });
  if (project) params.set('project', project);
  if (env.trim()) params.set('env', env.trim());
  if (app.trim()) params.set('app', app.trim());
  const query = params.toString();
  const { data, error } = useQuery({
    queryKey: queryKeys.insights(query),
    queryFn: () => apiFetch<InsightsSummaryJson>(`/api/insights/summary?${query}`),
  });
  const titles: Record<DrillMetric, string> = {
    deployments: t('insights.frequency'),
    lead_time: t('insights.leadTime'),
    failures: t('insights.cfr'),
    recovery: t('insights.recovery'),
    rework: t('insights.rework'),
  };
  return (
    <section className={project ? 'insights' : 'page insights'} data-testid="insights-page">
      {project ? null : <h1>{t('insights.title')}</h1>}
      <form className="insights-filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('insights.range')}{' '}
          <select value={range} onChange={(e) => setRange(e.target.value as (typeof RANGES)[number])}>
            {RANGES.map((r) => (
              <option key={r} value={r}>
                {t(`insights.range.${r}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('insights.env')}{' '}
          <input
            value={env}
            placeholder={t('insights.envProduction')}
            onChange={(e) => setEnv(e.target.value)}
          />
        </label>
        <label>
          {t('insights.app')}{' '}
          <input value={app} placeholder={t('insights.appAll')} onChange={(e) => setApp(e.target.value)} />
        </label>
      </form>
      <ErrorNote error={error} />
      {data ? <Scope summary={data} t={t} /> : null}
      {data ? <KeyNumbers summary={data} t={t} onDrill={setDrill} active={drill} /> : null}
      {data ? (
        <Suspense fallback={<p className="loading">{t('common.loading')}</p>}>
          <InsightsCharts summary={data} t={t} />
        </Suspense>
      ) : null}
      {drill ? (
        <InsightsDrillDown query={query} metric={drill} title={titles[drill]} t={t} />
      ) : (
        <p className="muted">{t('insights.drillHint')}</p>
      )}
    </section>
  );
}

function Scope({ summary, t }: { summary: InsightsSummaryJson; t: TFunction }) {
  const envs = summary.scope.environments.map((e) => `${e.project}/${e.application}/${e.name}`);
  return (
    <p className="muted" data-testid="insights-scope">
      {envs.length ? t('insights.scope', { envs: envs.join(', ') }) : t('insights.scopeNone')}
    </p>
  );
}

function KeyNumbers({
  summary: s,
  t,
  onDrill,
  active,
}: {
  summary: InsightsSummaryJson;
  t: TFunction;
  onDrill: (m: DrillMetric) => void;
  active: DrillMetric | null;
}) {
  const card = (
    metric: DrillMetric,
    title: string,
    value: string,
    band: InsightsSummaryJson['band'] | undefined,
    extra?: string,
  ) => (
    <button
      type="button"
      className={active === metric ? 'insights-card active' : 'insights-card'}
      data-testid={`insights-${metric}`}
      onClick={() => onDrill(metric)}
    >
      <span className="insights-card-title">{title}</span>
      <span className="insights-card-value">{value}</span>
      {extra ? <span className="muted">{extra}</span> : null}
      {band !== undefined ? (
        <span className={`insights-band band-${band ?? 'none'}`}>{bandLabel(band, t)}</span>
      ) : null}
    </button>
  );
  return (
    <div className="insights-cards">
      <div className="insights-overall" data-testid="insights-band">
        <span className="insights-card-title">{t('insights.band')}</span>
        <span className={`insights-band big band-${s.band ?? 'none'}`}>{bandLabel(s.band, t)}</span>
        <span className="muted">{t('insights.bandNote')}</span>
      </div>
      {card(
        'deployments',
        t('insights.frequency'),
        t('insights.frequencyValue', {
          n: s.deploymentFrequency.deployments,
          w: s.deploymentFrequency.perWeek,
        }),
        s.deploymentFrequency.band,
      )}
      {card(
        'lead_time',
        t('insights.leadTime'),
        t('insights.leadTimeValue', {
          median: duration(s.leadTime.medianMs, t),
          p90: duration(s.leadTime.p90Ms, t),
        }),
        s.leadTime.band,
        t('insights.leadTimePush', { median: duration(s.leadTime.fromPushMedianMs, t) }),
      )}
      {card(
        'failures',
        t('insights.cfr'),
        t('insights.cfrValue', {
          rate: percent(s.changeFailureRate.rate),
          n: s.changeFailureRate.failures,
          d: s.changeFailureRate.changeDeployments,
        }),
        s.changeFailureRate.band,
      )}
      {card(
        'recovery',
        t('insights.recovery'),
        t('insights.recoveryValue', { median: duration(s.recoveryTime.medianMs, t) }),
        s.recoveryTime.band,
        s.recoveryTime.open ? t('insights.recoveryOpen', { n: s.recoveryTime.open }) : undefined,
      )}
      {card(
        'rework',
        t('insights.rework'),
        t('insights.reworkValue', {
          rate: percent(s.reworkRate.rate),
          n: s.reworkRate.unplanned,
          d: s.reworkRate.deployments,
        }),
        undefined,
      )}
    </div>
  );
}
