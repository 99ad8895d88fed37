import { useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useState } from 'react';
import { Link } from 'wouter';
import type { ImageTagJsonType } from '../../../src/api/images.js';
import { api } from '../api/client.js';
import { ApiError } from '../api/http.js';
import { overviewApi } from '../api/project-overview.js';
import { queryKeys } from '../api/query-keys.js';
import { useServerEvents } from '../api/use-server-events.js';
import { useAuth } from '../app/auth.js';
import { useI18n } from '../app/i18n-context.js';
import { PageErrorBoundary } from '../app/PageErrorBoundary.js';
import { ProjectRoleProvider, roleAtLeast } from '../app/project-role.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { loadInsightsPage } from './insights/load-insights-page.js';
import { NotFoundPage } from './NotFoundPage.js';
import { ProjectHeader } from './project/ProjectHeader.js';
import { RecordsTab } from './RecordsTab.js';

// Heavier, less visited tabs load on first use (the pipeline picture brings a YAML parser).
const PipelineTab = lazy(() => import('./PipelineTab.js').then((m) => ({ default: m.PipelineTab })));
const SettingsTab = lazy(() => import('./SettingsTab.js').then((m) => ({ default: m.SettingsTab })));
// Written by the images feature: self-contained, given the project and our `t`.
const ImagesPage = lazy(() => import('./ImagesPage.js'));
const ApplicationsPage = lazy(() => import('./ApplicationsPage.js'));
const DeployImageDialog = lazy(() => import('./DeployImageDialog.js'));
const InsightsPage = lazy(loadInsightsPage);

const TABS = [
  { id: 'records', key: 'tab.records', path: '' },
  { id: 'pipeline', key: 'tab.pipeline', path: '/pipeline' },
  { id: 'images', key: 'tab.images', path: '/images' },
  { id: 'apps', key: 'tab.apps', path: '/apps' },
  { id: 'insights', key: 'tab.insights', path: '/insights' },
  { id: 'settings', key: 'tab.settings', path: '/settings' },
] as const;

/**
 * A project as the seed shows it: the header (name, image, code source, tests, branch/tag picker
 * and Run manually), then tabs for its execution records, pipeline definition, images,
 * applications, insights and settings.
 */
export function ProjectPage({ name, tab }: { name: string; tab: string }) {
  const { t, lang } = useI18n();
  const { can, user } = useAuth();
  const client = useQueryClient();
  const { data: project, error } = useQuery({
    queryKey: queryKeys.project(name),
    queryFn: () => api.project(name),
  });
  const { data: overview } = useQuery({
    queryKey: queryKeys.overview(name),
    queryFn: () => overviewApi.overview(name),
  });
  const reload = () => void client.invalidateQueries({ queryKey: queryKeys.project(name) });
  // The one event stream of the project while any of its tabs is shown.
  useServerEvents(name);
  const base = `/projects/${encodeURIComponent(name)}`;
  // The image chosen with "Deploy this version" on the images tab, while its dialog is open.
  const [deploying, setDeploying] = useState<{ repository: string; version: ImageTagJsonType } | null>(null);
  // A missing project and one the user may not read answer alike (404): show the not-found page.
  if (error instanceof ApiError && error.status === 404) return <NotFoundPage />;
  return (
    <ProjectRoleProvider role={project?.myRole}>
      <section className="page">
        <ProjectHeader
          name={name}
          project={project}
          overview={overview}
          canRun={project?.myRole ? roleAtLeast(project.myRole, 'developer') : can('maintainer')}
          t={t}
          lang={lang}
        />
        <ErrorNote error={error} />
        <nav className="tabs" aria-label={t('tab.label')}>
          {/* Settings need an account: a visitor reading a public project does not see the tab. */}
          {TABS.filter((tb) => user || tb.id !== 'settings').map((tb) => (
            <Link
              key={tb.id}
              href={`${base}${tb.path}`}
              data-testid={`tab-${tb.id}`}
              className={tab === tb.id ? 'tab active' : 'tab'}
              aria-current={tab === tb.id ? 'page' : undefined}
            >
              {t(tb.key)}
            </Link>
          ))}
        </nav>
        <div className="tab-panel">
          {/* A tab that fails to draw leaves the project's header and tabs in place. */}
          <PageErrorBoundary t={t} resetKey={tab}>
            <Suspense fallback={<p className="loading">{t('common.loading')}</p>}>
              {tab === 'records' ? <RecordsTab project={name} /> : null}
              {tab === 'pipeline' ? (
                <PipelineTab project={name} defaultBranch={project?.defaultBranch} />
              ) : null}
              {tab === 'images' ? (
                <ImagesPage
                  project={name}
                  t={t}
                  onDeploy={
                    roleAtLeast(project?.myRole, 'developer')
                      ? (repository, version) => setDeploying({ repository, version })
                      : undefined
                  }
                  readOnly={!roleAtLeast(project?.myRole, 'developer')}
                />
              ) : null}
              {deploying ? (
                <DeployImageDialog
                  project={name}
                  repository={deploying.repository}
                  version={deploying.version}
                  t={t}
                  onClose={() => setDeploying(null)}
                />
              ) : null}
              {tab === 'apps' ? <ApplicationsPage project={name} t={t} /> : null}
              {tab === 'insights' ? <InsightsPage project={name} /> : null}
              {tab === 'settings' && project ? <SettingsTab project={project} onChanged={reload} /> : null}
              {!TABS.some((tb) => tb.id === tab) ? <p className="empty">{t('notFound.title')}</p> : null}
            </Suspense>
          </PageErrorBoundary>
        </div>
      </section>
    </ProjectRoleProvider>
  );
}
