import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'wouter';
import type { VerdictListJson } from '../../../src/api/impact.js';
import type { ApplicationJson, ReleaseJson } from '../../../src/api/releases.js';
import { apiFetch } from '../api/http.js';
import { queryKeys } from '../api/query-keys.js';
import { useProjectCan } from '../app/project-role.js';
import { ErrorNote } from '../components/ErrorNote.js';
import type { TFunction } from '../i18n/index.js';
import { ApplicationControls, EnvironmentControls } from './applications/ApplicationControls.js';
import { NewApplication } from './applications/ApplicationForm.js';
import { EnvironmentCard } from './EnvironmentCard.js';
import { CollectSiteSettings } from './impact/behaviour/CollectSiteSettings.js';
import { ReleaseHistory } from './ReleaseHistory.js';
import '../styles/deploy.css';

export interface ApplicationsPageProps {
  project: string;
  t: TFunction;
}

/**
 * Applications (应用) of a project: each application's environments side by side — running
 * version, health, replicas — with deploy / promote / approve / scale, and the release history
 * with a rollback per successful release. Refreshes on the project's run events (every release
 * is a run).
 */
export function ApplicationsPage({ project, t }: ApplicationsPageProps) {
  const base = `/api/projects/${encodeURIComponent(project)}/applications`;
  const client = useQueryClient();
  const loaded = useQuery({
    queryKey: queryKeys.applications(project),
    queryFn: () => apiFetch<{ applications: ApplicationJson[] }>(base),
    // Run and environment events refresh it (server-events.ts); the timer catches an agent
    // that went silent, whose environments no event reports.
    refetchInterval: 30_000,
  });
  // Everything below the applications (releases, verdicts, impact) is re-read with them.
  const reload = () => void client.invalidateQueries({ queryKey: queryKeys.applications(project) });
  const apps = loaded.data?.applications ?? [];
  const canDo = useProjectCan();
  const maintainer = canDo('maintainer');
  const developer = canDo('developer');
  return (
    <section className="applications" data-testid="applications-page">
      <h2>{t('apps.title')}</h2>
      <ErrorNote error={loaded.error} />
      {maintainer ? <NewApplication project={project} onCreated={reload} t={t} /> : null}
      {loaded.data && apps.length === 0 ? (
        <p className="empty" data-testid="applications-empty">
          {t('apps.empty', { project })}
        </p>
      ) : null}
      {apps.map((app) => (
        <ApplicationView
          key={app.name}
          project={project}
          app={app}
          t={t}
          onChange={reload}
          maintainer={maintainer}
          developer={developer}
        />
      ))}
      <p className="muted">{t('apps.healthNote')}</p>
    </section>
  );
}

function ApplicationView({
  project,
  app,
  t,
  onChange,
  maintainer,
  developer,
}: {
  project: string;
  app: ApplicationJson;
  t: TFunction;
  onChange: () => void;
  maintainer: boolean;
  /** May deploy, promote, scale and roll back (viewers and visitors only read). */
  developer: boolean;
}) {
  const appPath = `/api/projects/${encodeURIComponent(project)}/applications/${encodeURIComponent(app.name)}`;
  const history = useQuery({
    queryKey: queryKeys.releases(project, app.name),
    queryFn: () => apiFetch<{ releases: ReleaseJson[] }>(`${appPath}/releases?limit=30`),
  });
  const verdicts = useQuery({
    queryKey: queryKeys.verdicts(project, app.name),
    queryFn: () => apiFetch<VerdictListJson>(`${appPath}/impact/verdicts?limit=30`),
  });
  const action = useMutation({
    mutationFn: ({ path, body }: { path: string; body: unknown }) =>
      apiFetch(`${appPath}${path}`, { method: 'POST', body }),
    onSuccess: onChange,
  });
  const error = action.error;
  const act = async (path: string, body: unknown) => {
    // The failure is shown from action.error; callers only wait for the end.
    await action.mutateAsync({ path, body }).catch(() => undefined);
  };
  return (
    <article className="application" data-testid={`application-${app.name}`}>
      <h3 className="application-name">
        {app.name}{' '}
        <Link
          href={`/projects/${encodeURIComponent(project)}/applications/${encodeURIComponent(app.name)}/impact`}
          className="button-small"
          data-testid={`impact-link-${app.name}`}
        >
          {t('impact.link')}
        </Link>
      </h3>
      {maintainer ? <ApplicationControls project={project} app={app} onChange={onChange} t={t} /> : null}
      <ErrorNote error={error} />
      <div className="environments">
        {app.environments.map((env, i) => (
          <EnvironmentCard
            key={env.name}
            app={app.name}
            env={env}
            previous={app.environments[i - 1]?.name ?? null}
            t={t}
            act={act}
            canDeploy={developer}
            canApprove={maintainer}
          >
            {maintainer ? (
              <EnvironmentControls project={project} app={app.name} env={env} onChange={onChange} t={t} />
            ) : null}
          </EnvironmentCard>
        ))}
      </div>
      <CollectSiteSettings
        project={project}
        app={app.name}
        environments={app.environments.map((e) => e.name)}
        t={t}
      />
      <h4 className="section-title">{t('apps.history')}</h4>
      <ReleaseHistory
        project={project}
        app={app.name}
        releases={history.data?.releases ?? []}
        verdicts={verdicts.data?.releases ?? []}
        t={t}
        act={act}
        canDeploy={developer}
      />
    </article>
  );
}

export default ApplicationsPage;
