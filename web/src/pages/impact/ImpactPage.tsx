import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useMemo, useState } from 'react';
import { Link } from 'wouter';
import type { TimelineJson } from '../../../../src/api/impact.js';
import type { ApplicationJson } from '../../../../src/api/releases.js';
import { apiFetch } from '../../api/http.js';
import { queryKeys } from '../../api/query-keys.js';
import { useI18n } from '../../app/i18n-context.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { ImpactTabs } from './ImpactTabs.js';
import { ReleaseImpactCard } from './ReleaseImpactCard.js';
import { VerdictChip } from './VerdictChip.js';
import './impact.css';

// The chart library loads with the charts: the cards show first, the charts when loaded.
const ImpactTimeline = lazy(() => import('./ImpactTimeline.js').then((m) => ({ default: m.ImpactTimeline })));

const RANGES = { '6h': 6, '24h': 24, '7d': 7 * 24, '30d': 30 * 24 } as const;
type Range = keyof typeof RANGES;
/** Cards beyond the newest few would make a long page of requests; the markers show the rest. */
const MAX_CARDS = 12;

/**
 * 影响 (Impact) of an application: an environment's traffic, error rate and p95 over a range with
 * the releases as markers, and the impact card of each release in the range.
 */
export default function ImpactPage({ project, app }: { project: string; app: string }) {
  const { t } = useI18n();
  const [env, setEnv] = useState('');
  const [range, setRange] = useState<Range>('24h');
  const projectPath = `/api/projects/${encodeURIComponent(project)}`;
  const appPath = `${projectPath}/applications/${encodeURIComponent(app)}`;
  const apps = useQuery({
    queryKey: queryKeys.applications(project),
    queryFn: () => apiFetch<{ applications: ApplicationJson[] }>(`${projectPath}/applications`),
  });
  const environments = apps.data?.applications.find((a) => a.name === app)?.environments ?? [];
  const chosen = env || (environments.find((e) => e.production) ?? environments[0])?.name || '';
  // The range is fixed when it is picked (not on every render), so the query stays stable.
  const from = useMemo(() => new Date(Date.now() - RANGES[range] * 3_600_000).toISOString(), [range]);
  const query = new URLSearchParams({ from });
  if (chosen) query.set('environment', chosen);
  const timeline = useQuery({
    queryKey: queryKeys.impactTimeline(project, app, { environment: chosen, from }),
    queryFn: () => apiFetch<TimelineJson>(`${appPath}/impact?${query}`),
    enabled: chosen !== '',
  });
  const tl = timeline.data;
  const newest = tl ? [...tl.markers].reverse().slice(0, MAX_CARDS) : [];
  return (
    <section className="page impact" data-testid="impact-page">
      <div className="page-head">
        <h1>
          <Link href={`/projects/${encodeURIComponent(project)}/apps`} className="crumb">
            {project}
          </Link>{' '}
          / {t('impact.title', { app })}
        </h1>
      </div>
      <ImpactTabs project={project} app={app} active="timeline" t={t} />
      <form className="impact-filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('impact.environment')}{' '}
          <select value={chosen} data-testid="impact-env" onChange={(e) => setEnv(e.target.value)}>
            {environments.map((e) => (
              <option key={e.name} value={e.name}>
                {e.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('impact.range')}{' '}
          <select
            value={range}
            data-testid="impact-range"
            onChange={(e) => setRange(e.target.value as Range)}
          >
            {(Object.keys(RANGES) as Range[]).map((r) => (
              <option key={r} value={r}>
                {t(`impact.range.${r}`)}
              </option>
            ))}
          </select>
        </label>
      </form>
      <ErrorNote error={apps.error ?? timeline.error} />
      {apps.data && environments.length === 0 ? <p className="empty">{t('impact.noEnvironments')}</p> : null}
      {tl?.points.every((p) => p.requests === 0) ? <p className="muted">{t('impact.noTraffic')}</p> : null}
      {tl ? (
        <Suspense fallback={<p className="loading">{t('common.loading')}</p>}>
          <ImpactTimeline timeline={tl} t={t} />
        </Suspense>
      ) : null}
      {tl ? (
        <>
          <h2>{t('impact.releases')}</h2>
          {tl.markers.length === 0 ? <p className="empty">{t('impact.noReleases')}</p> : null}
          <ul className="impact-markers" data-testid="impact-markers">
            {[...tl.markers].reverse().map((m) => (
              <li key={m.number}>
                <strong>#{m.number}</strong> <VerdictChip verdict={m.verdict} t={t} />
              </li>
            ))}
          </ul>
          <div className="impact-cards">
            {newest.map((m) => (
              <ReleaseImpactCard key={`${chosen}-${m.number}`} appPath={appPath} number={m.number} t={t} />
            ))}
          </div>
        </>
      ) : null}
    </section>
  );
}
