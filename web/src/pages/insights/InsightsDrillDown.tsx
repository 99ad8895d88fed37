import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import type { InsightsChangesJson, InsightsReleaseJson } from '../../../../src/api/insights.js';
import { apiFetch } from '../../api/http.js';
import { queryKeys } from '../../api/query-keys.js';
import { useI18n } from '../../app/i18n-context.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { formatTime } from '../../i18n/format.js';
import type { TFunction } from '../../i18n/index.js';
import { duration } from './insights-format.js';

export type DrillMetric = 'deployments' | 'lead_time' | 'failures' | 'recovery' | 'rework';

/** The releases or commits behind one number, as the API's drill-down lists them. */
export function InsightsDrillDown({
  query,
  metric,
  title,
  t,
}: {
  query: string;
  metric: DrillMetric;
  title: string;
  t: TFunction;
}) {
  const { data, error } = useQuery({
    queryKey: queryKeys.insightsChanges(query, metric),
    queryFn: () => apiFetch<InsightsChangesJson>(`/api/insights/changes?${query}&metric=${metric}&limit=200`),
  });
  return (
    <section className="insights-drill" data-testid="insights-drill">
      <h2>{t('insights.drill', { metric: title })}</h2>
      <ErrorNote error={error} />
      {data && data.total === 0 ? <p className="empty">{t('insights.empty')}</p> : null}
      {data && metric === 'lead_time' && data.changes.length > 0 ? <ChangeTable data={data} t={t} /> : null}
      {data && metric !== 'lead_time' && data.releases.length > 0 ? <ReleaseTable data={data} t={t} /> : null}
      {data && data.total > data.changes.length + data.releases.length ? (
        <p className="muted">
          {t('insights.more', { n: data.total - data.changes.length - data.releases.length })}
        </p>
      ) : null}
    </section>
  );
}

const runLink = (project: string, run: number | null) =>
  run === null ? '—' : <Link href={`/projects/${encodeURIComponent(project)}/runs/${run}`}>#{run}</Link>;

function ChangeTable({ data, t }: { data: InsightsChangesJson; t: TFunction }) {
  const { lang } = useI18n();
  return (
    <table className="table">
      <thead>
        <tr>
          <th>{t('insights.col.commit')}</th>
          <th>{t('insights.col.env')}</th>
          <th>{t('insights.col.release')}</th>
          <th>{t('insights.col.run')}</th>
          <th>{t('insights.col.lead')}</th>
          <th>{t('insights.col.released')}</th>
        </tr>
      </thead>
      <tbody>
        {data.changes.map((c) => (
          <tr key={`${c.sha}-${c.releaseNumber}-${c.environment}`}>
            <td className="mono">{c.sha.slice(0, 7)}</td>
            <td>{`${c.project}/${c.application}/${c.environment}`}</td>
            <td>#{c.releaseNumber}</td>
            <td>{runLink(c.project, c.runNumber)}</td>
            <td>{duration(c.leadTimeMs, t)}</td>
            <td>{formatTime(c.releasedAt, lang)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function note(r: InsightsReleaseJson, t: TFunction): string {
  const parts: string[] = [];
  if (r.failure) parts.push(t(`insights.failure.${r.failure.kind}`, { n: r.failure.evidenceRelease }));
  if (r.failure?.reason) parts.push(r.failure.reason);
  if (r.recoveryMs !== null && r.recoveredBy !== null)
    parts.push(t('insights.recoveredIn', { d: duration(r.recoveryMs, t), n: r.recoveredBy }));
  if (r.rework) parts.push(t(`insights.rework.${r.rework}`));
  return parts.join(' · ');
}

function ReleaseTable({ data, t }: { data: InsightsChangesJson; t: TFunction }) {
  const { lang } = useI18n();
  return (
    <table className="table">
      <thead>
        <tr>
          <th>{t('insights.col.release')}</th>
          <th>{t('insights.col.env')}</th>
          <th>{t('insights.col.status')}</th>
          <th>{t('insights.col.ref')}</th>
          <th>{t('insights.col.run')}</th>
          <th>{t('insights.col.when')}</th>
          <th>{t('insights.col.note')}</th>
        </tr>
      </thead>
      <tbody>
        {data.releases.map((r) => (
          <tr key={`${r.project}-${r.application}-${r.number}`}>
            <td>
              <Link href={`/projects/${encodeURIComponent(r.project)}/apps`}>#{r.number}</Link>
            </td>
            <td>{`${r.project}/${r.application}/${r.environment}`}</td>
            <td>{r.status}</td>
            <td>{r.ref ?? '—'}</td>
            <td>{runLink(r.project, r.runNumber)}</td>
            <td>{formatTime(r.endedAt, lang)}</td>
            <td>{note(r, t)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
