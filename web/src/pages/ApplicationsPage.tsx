import { useEffect, useState } from 'react';
import { Link } from 'wouter';
import type { ApplicationJson, ReleaseJson } from '../../../src/server/deploys/release-json.js';
import type { VerdictListJson } from '../../../src/server/impact/impact-json.js';
import { projectEventsUrl } from '../api/client.js';
import { apiFetch } from '../api/http.js';
import { useProjectCan } from '../app/project-role.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { useLoad } from '../components/use-load.js';
import { registerMessages, type TFunction } from '../i18n/index.js';
import { ApplicationControls, EnvironmentControls } from './applications/ApplicationControls.js';
import { NewApplication } from './applications/ApplicationForm.js';
import { EnvironmentCard } from './EnvironmentCard.js';
import { CollectSiteSettings } from './impact/behaviour/CollectSiteSettings.js';
import { ReleaseHistory } from './ReleaseHistory.js';
import '../styles/deploy.css';

registerMessages({
  en: {
    'apps.title': 'Applications',
    'apps.empty':
      'No applications yet. Create one with “New application” (or POST /api/projects/{project}/applications).',
    'apps.environment': 'Environment',
    'apps.running': 'Running',
    'apps.notDeployed': 'nothing deployed',
    'apps.replicas': 'replicas: {n}',
    'apps.approvalRequired': 'requires approval',
    'apps.autoRelease': 'auto release: {branches}',
    'apps.health.not_deployed': 'not deployed',
    'apps.health.healthy': 'healthy',
    'apps.health.deploying': 'deploying',
    'apps.health.awaiting_approval': 'awaiting approval',
    'apps.health.degraded': 'last release failed (previous version serving)',
    'apps.health.failed': 'failed',
    'apps.healthNote':
      'Health and replicas are what the agents observe on their engines every few seconds; "(not observed)" means no agent reported the environment, and the result of the last release is shown instead.',
    'apps.observed.healthy': 'healthy',
    'apps.observed.degraded': 'degraded (not every replica healthy)',
    'apps.observed.down': 'down (nothing running)',
    'apps.observed.unknown': 'unknown (agent not reporting)',
    'apps.notObserved': '(not observed)',
    'apps.observedReplicas': 'replicas: {healthy}/{desired} healthy, {running} running',
    'apps.observedAt': 'observed at {time}',
    'apps.deploy': 'Deploy',
    'apps.imagePlaceholder': 'image reference or sha256 digest',
    'apps.promote': 'Promote from {env}',
    'apps.approve': 'Approve #{n}',
    'apps.scale': 'Scale',
    'apps.rollback': 'Roll back to this',
    'apps.history': 'Release history',
    'apps.version': 'Version',
    'apps.digest': 'Digest',
    'apps.trigger': 'Trigger',
    'apps.who': 'Who',
    'apps.when': 'When',
    'apps.duration': 'Duration',
    'apps.result': 'Result',
    'apps.run': 'Run',
    'apps.trigger.pipeline': 'pipeline',
    'apps.trigger.auto': 'auto release',
    'apps.trigger.manual': 'manual release',
    'apps.trigger.promote': 'promote',
    'apps.trigger.rollback': 'rollback of #{n}',
    'apps.trigger.scale': 'scale',
    'apps.status.queued': 'queued',
    'apps.status.awaiting_approval': 'awaiting approval',
    'apps.status.running': 'running',
    'apps.status.succeeded': 'succeeded',
    'apps.status.failed': 'failed',
    'apps.status.rolled_back': 'rolled back',
    'apps.status.canceled': 'canceled',
  },
  'zh-CN': {
    'apps.title': '应用',
    'apps.empty': '还没有应用。用“新建应用”（或 POST /api/projects/{project}/applications）创建。',
    'apps.environment': '环境',
    'apps.running': '运行版本',
    'apps.notDeployed': '尚未部署',
    'apps.replicas': '副本数：{n}',
    'apps.approvalRequired': '需要审批',
    'apps.autoRelease': '自动发布：{branches}',
    'apps.health.not_deployed': '未部署',
    'apps.health.healthy': '健康',
    'apps.health.deploying': '发布中',
    'apps.health.awaiting_approval': '等待审批',
    'apps.health.degraded': '上次发布失败（旧版本仍在服务）',
    'apps.health.failed': '失败',
    'apps.healthNote':
      '健康状态和副本数是执行器每隔几秒在其引擎上观测到的结果；“（未观测）”表示没有代理报告该环境，此时显示最近一次发布的结果。',
    'apps.observed.healthy': '健康',
    'apps.observed.degraded': '降级（并非所有副本都健康）',
    'apps.observed.down': '宕机（没有运行中的副本）',
    'apps.observed.unknown': '未知（执行器未报告）',
    'apps.notObserved': '（未观测）',
    'apps.observedReplicas': '副本：{healthy}/{desired} 健康，{running} 运行中',
    'apps.observedAt': '观测时间：{time}',
    'apps.deploy': '发布',
    'apps.imagePlaceholder': '镜像引用或 sha256 摘要',
    'apps.promote': '从 {env} 晋级',
    'apps.approve': '审批 #{n}',
    'apps.scale': '扩缩容',
    'apps.rollback': '回滚到此版本',
    'apps.history': '发布历史',
    'apps.version': '版本',
    'apps.digest': '摘要',
    'apps.trigger': '触发方式',
    'apps.who': '操作人',
    'apps.when': '时间',
    'apps.duration': '耗时',
    'apps.result': '结果',
    'apps.run': '执行记录',
    'apps.trigger.pipeline': '流水线',
    'apps.trigger.auto': '自动发布',
    'apps.trigger.manual': '手动发布',
    'apps.trigger.promote': '晋级',
    'apps.trigger.rollback': '回滚 #{n}',
    'apps.trigger.scale': '扩缩容',
    'apps.status.queued': '排队中',
    'apps.status.awaiting_approval': '等待审批',
    'apps.status.running': '发布中',
    'apps.status.succeeded': '成功',
    'apps.status.failed': '失败',
    'apps.status.rolled_back': '已回滚',
    'apps.status.canceled': '已取消',
  },
});

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
  const loaded = useLoad(() => apiFetch<{ applications: ApplicationJson[] }>(base), [base]);
  const { reload } = loaded;
  useEffect(() => {
    const source = new EventSource(projectEventsUrl(project), { withCredentials: true });
    source.addEventListener('run', () => reload());
    // Observed health changes (agents' reports); the timer catches an agent that went silent.
    source.addEventListener('environment', () => reload());
    const timer = setInterval(() => reload(), 30_000);
    return () => {
      source.close();
      clearInterval(timer);
    };
  }, [project, reload]);
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
  const history = useLoad(
    () => apiFetch<{ releases: ReleaseJson[] }>(`${appPath}/releases?limit=30`),
    [appPath, app],
  );
  const verdicts = useLoad(
    () => apiFetch<VerdictListJson>(`${appPath}/impact/verdicts?limit=30`),
    [appPath, app],
  );
  const [error, setError] = useState<unknown>(null);
  const act = async (path: string, body: unknown) => {
    setError(null);
    try {
      await apiFetch(`${appPath}${path}`, { method: 'POST', body });
      onChange();
    } catch (err) {
      setError(err);
    }
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
