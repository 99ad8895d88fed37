import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useState } from 'react';
import { queryKeys } from '../../api/query-keys.js';
import { useI18n } from '../../app/i18n-context.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { formatTime } from '../../i18n/format.js';
import type { TFunction } from '../../i18n/index.js';
import { type BehaviourReport, behaviourApi } from './behaviour/behaviour-api.js';
import { ImpactTabs } from './ImpactTabs.js';
import './behaviour/behaviour.css';

const BehaviourCharts = lazy(() => import('./behaviour/BehaviourCharts.js'));

const RANGES = { '1d': 1, '7d': 7, '30d': 30, '90d': 90 } as const;
type Range = keyof typeof RANGES;

/**
 * 用户行为: what the pages of an application saw — visitors, views, top pages, referrers, custom
 * events and client errors over time, for all releases or one (the events were attributed on
 * arrival to the release serving their environment).
 */
export default function BehaviourPage({ project, app }: { project: string; app: string }) {
  const { t } = useI18n();
  const [range, setRange] = useState<Range>('7d');
  const [release, setRelease] = useState('');
  // Rounded to the minute so re-renders do not refetch a moving window.
  const to = Math.ceil(Date.now() / 60_000) * 60_000;
  const params = new URLSearchParams({ from: String(to - RANGES[range] * 86_400_000), to: String(to) });
  if (release) params.set('release', release);
  const query = params.toString();
  const report = useQuery({
    queryKey: queryKeys.behaviour(project, app, query),
    queryFn: () => behaviourApi.report(project, app, query),
  });
  const site = useQuery({
    queryKey: queryKeys.collectSite(project, app),
    queryFn: () => behaviourApi.site(project, app),
  });
  const data = report.data;
  return (
    <section className="page behaviour" data-testid="behaviour-page">
      <ImpactTabs project={project} app={app} active="behaviour" t={t} />
      <h1>
        {t('behaviour.title')} · {app}
      </h1>
      {site.data && !site.data.configured ? <p className="muted">{t('behaviour.notConfigured')}</p> : null}
      <form className="behaviour-filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('behaviour.range')}{' '}
          <select value={range} onChange={(e) => setRange(e.target.value as Range)}>
            {(Object.keys(RANGES) as Range[]).map((r) => (
              <option key={r} value={r}>
                {t(`behaviour.range.${r}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('behaviour.release')}{' '}
          <select
            value={release}
            onChange={(e) => setRelease(e.target.value)}
            data-testid="behaviour-release"
          >
            <option value="">{t('behaviour.allReleases')}</option>
            {(data?.releases ?? []).map((r) => (
              <option key={r.number} value={String(r.number)}>
                #{r.number} {r.environment ?? ''}
              </option>
            ))}
            {release && !data?.releases.some((r) => String(r.number) === release) ? (
              <option value={release}>#{release}</option>
            ) : null}
          </select>
        </label>
      </form>
      <ErrorNote error={report.error} />
      {data ? <Report report={data} t={t} /> : null}
    </section>
  );
}

function Report({ report, t }: { report: BehaviourReport; t: TFunction }) {
  const { lang } = useI18n();
  const totals = [
    ['visitors', report.totals.visitors],
    ['views', report.totals.views],
    ['events', report.totals.events],
    ['errors', report.totals.errors],
  ] as const;
  const empty = report.totals.views + report.totals.events + report.totals.errors === 0;
  return (
    <>
      <div className="behaviour-totals">
        {totals.map(([key, value]) => (
          <div key={key} className="behaviour-total" data-testid={`behaviour-${key}`}>
            <span>{t(`behaviour.${key}`)}</span>
            <strong>{value}</strong>
          </div>
        ))}
      </div>
      {empty ? <p className="muted">{t('behaviour.none')}</p> : null}
      {empty ? null : (
        <Suspense fallback={<p className="loading">{t('common.loading')}</p>}>
          <BehaviourCharts report={report} t={t} />
        </Suspense>
      )}
      <div className="behaviour-tables">
        <Table
          title={t('behaviour.pages')}
          head={[t('behaviour.path'), t('behaviour.views'), t('behaviour.visitors')]}
          rows={report.pages.map((p) => [p.path, p.views, p.visitors])}
        />
        <Table
          title={t('behaviour.referrers')}
          head={[t('behaviour.host'), t('behaviour.views')]}
          rows={report.referrers.map((r) => [r.host, r.views])}
        />
        <Table
          title={t('behaviour.events')}
          head={[t('behaviour.name'), t('behaviour.count'), t('behaviour.visitors')]}
          rows={report.events.map((e) => [e.name, e.count, e.visitors])}
        />
        <Table
          title={t('behaviour.errorList')}
          head={[t('behaviour.message'), t('behaviour.count'), t('behaviour.lastSeen')]}
          rows={report.errors.map((e) => [e.message, e.count, formatTime(e.lastAt, lang)])}
        />
        <Table
          title={t('behaviour.perRelease')}
          head={[
            t('behaviour.release'),
            t('behaviour.visitors'),
            t('behaviour.views'),
            t('behaviour.events'),
            t('behaviour.errors'),
            t('behaviour.feedbackCount'),
          ]}
          rows={report.releases.map((r) => [
            `#${r.number} ${r.environment ?? ''}`,
            r.visitors,
            r.views,
            r.events,
            r.errors,
            r.feedback,
          ])}
        />
      </div>
    </>
  );
}

function Table({ title, head, rows }: { title: string; head: string[]; rows: (string | number)[][] }) {
  if (rows.length === 0) return null;
  return (
    <figure>
      <figcaption>
        <strong>{title}</strong>
      </figcaption>
      <table>
        <thead>
          <tr>
            {head.map((h, i) => (
              <th key={h} className={i > 0 ? 'num' : undefined}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={String(row[0])}>
              {row.map((cell, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: columns are fixed per table
                <td key={i} className={typeof cell === 'number' ? 'num' : undefined}>
                  {cell}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
