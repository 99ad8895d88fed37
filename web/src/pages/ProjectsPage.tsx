import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { api } from '../api/client.js';
import { queryKeys } from '../api/query-keys.js';
import type { Status } from '../api/types.js';
import { useAuth } from '../app/auth.js';
import { useI18n } from '../app/i18n-context.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { Sparkline } from '../components/Sparkline.js';
import { StatusIcon } from '../components/StatusIcon.js';
import { formatAgo } from '../i18n/format.js';
import { VisibilityBadge } from './access/VisibilityBadge.js';

/** All projects: latest record with its status, and a sparkline of recent durations. */
export function ProjectsPage() {
  const { t, lang } = useI18n();
  const { can } = useAuth();
  const { data, error } = useQuery({ queryKey: queryKeys.projects(), queryFn: () => api.projects() });
  const now = Date.now();
  return (
    <section className="page">
      <div className="page-head">
        <h1>{t('projects.title')}</h1>
        {can('maintainer') ? (
          <Link href="/projects/new" className="button primary" data-testid="new-project">
            {t('projects.new')}
          </Link>
        ) : null}
      </div>
      <ErrorNote error={error} />
      {data && data.length === 0 ? <p className="empty">{t('projects.empty')}</p> : null}
      <ul className="project-list" data-testid="projects">
        {data?.map((p) => (
          <li key={p.id} className="card project-item" data-testid="project-item" data-name={p.name}>
            <Link href={`/projects/${encodeURIComponent(p.name)}`} className="project-name">
              {p.name}
            </Link>
            <VisibilityBadge visibility={p.visibility} />
            <span className="project-source">
              {p.source.kind === 'builtin' ? t('projects.builtin') : p.source.url}
            </span>
            {p.latestRun ? (
              <Link
                href={`/projects/${encodeURIComponent(p.name)}/runs/${p.latestRun.number}`}
                className="project-latest"
              >
                <StatusIcon status={p.latestRun.status as Status} t={t} />
                <span>{p.latestRun.record}</span>
                <span className="muted">{formatAgo(p.latestRun.createdAt, now, lang)}</span>
              </Link>
            ) : (
              <span className="muted project-latest">{t('projects.noRuns')}</span>
            )}
            <Sparkline values={p.recentDurations} label={t('projects.sparkline')} />
          </li>
        ))}
      </ul>
    </section>
  );
}
