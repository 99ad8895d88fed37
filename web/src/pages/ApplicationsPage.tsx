import { useEffect, useState } from 'react';
import { Link } from 'wouter';
import type {
  ApplicationJson,
  EnvironmentJson,
  ReleaseJson,
} from '../../../src/server/deploys/release-json.js';
import { projectEventsUrl } from '../api/client.js';
import { apiFetch } from '../api/http.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { useLoad } from '../components/use-load.js';
import { useNow } from '../components/use-now.js';
import { formatAgo, formatDuration } from '../i18n/format.js';
import { registerMessages, type TFunction } from '../i18n/index.js';
import '../styles/deploy.css';

registerMessages({
  en: {
    'apps.title': 'Applications',
    'apps.empty': 'No applications yet. Create one with POST /api/projects/{project}/applications.',
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
    'apps.empty': '还没有应用。用 POST /api/projects/{project}/applications 创建。',
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
      '健康状态和副本数是代理每隔几秒在其引擎上观测到的结果；“（未观测）”表示没有代理报告该环境，此时显示最近一次发布的结果。',
    'apps.observed.healthy': '健康',
    'apps.observed.degraded': '降级（并非所有副本都健康）',
    'apps.observed.down': '宕机（没有运行中的副本）',
    'apps.observed.unknown': '未知（代理未报告）',
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
    'apps.status.rolled_back': '已回退',
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
  return (
    <section className="applications" data-testid="applications-page">
      <h2>{t('apps.title')}</h2>
      <ErrorNote error={loaded.error} />
      {loaded.data && apps.length === 0 ? (
        <p className="empty" data-testid="applications-empty">
          {t('apps.empty', { project })}
        </p>
      ) : null}
      {apps.map((app) => (
        <ApplicationView key={app.name} project={project} app={app} t={t} onChange={reload} />
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
}: {
  project: string;
  app: ApplicationJson;
  t: TFunction;
  onChange: () => void;
}) {
  const appPath = `/api/projects/${encodeURIComponent(project)}/applications/${encodeURIComponent(app.name)}`;
  const history = useLoad(
    () => apiFetch<{ releases: ReleaseJson[] }>(`${appPath}/releases?limit=30`),
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
      <h3 className="application-name">{app.name}</h3>
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
          />
        ))}
      </div>
      <h4 className="section-title">{t('apps.history')}</h4>
      <ReleaseHistory
        project={project}
        app={app.name}
        releases={history.data?.releases ?? []}
        t={t}
        act={act}
      />
    </article>
  );
}

function EnvironmentCard({
  app,
  env,
  previous,
  t,
  act,
}: {
  app: string;
  env: EnvironmentJson;
  previous: string | null;
  t: TFunction;
  act: (path: string, body: unknown) => Promise<void>;
}) {
  const [image, setImage] = useState('');
  const [replicas, setReplicas] = useState(String(env.config.replicas));
  const id = `${app}-${env.name}`;
  const envPath = `/environments/${encodeURIComponent(env.name)}`;
  const waiting = env.latest?.status === 'awaiting_approval' ? env.latest : null;
  const running = env.running;
  const observed = env.healthSource === 'observed' ? env.observed : null;
  const observedAt = observed
    ? t('apps.observedAt', { time: new Date(observed.at).toLocaleString() })
    : undefined;
  return (
    <section className="environment-card" data-testid={`env-${id}`}>
      <header className="env-head">
        <h4 className="env-name">
          <span className="sr-only">{t('apps.environment')}: </span>
          {env.name}
        </h4>
        <span className="badge">{env.target}</span>
      </header>
      <p className="env-health" title={observedAt}>
        <span data-testid={`health-${id}`} className={`health-pill health-${env.health}`}>
          {observed ? t(`apps.observed.${env.health}`) : t(`apps.health.${env.health}`)}
        </span>
        {observed ? null : (
          <span className="muted env-note" data-testid={`not-observed-${id}`}>
            {' '}
            {t('apps.notObserved')}
          </span>
        )}
      </p>
      <dl className="env-facts">
        <dt>{t('apps.running')}</dt>
        <dd className="env-running" data-testid={`running-${id}`}>
          {running ? (
            <>
              <strong>#{running.number}</strong>{' '}
              <code title={running.digest ?? running.image ?? ''}>{shortImage(running)}</code>
            </>
          ) : (
            <span className="muted">{t('apps.notDeployed')}</span>
          )}
        </dd>
      </dl>
      <p className="env-replicas" data-testid={`replicas-${id}`} title={observedAt}>
        {observed
          ? t('apps.observedReplicas', {
              healthy: observed.healthy,
              desired: observed.desired,
              running: observed.running,
            })
          : t('apps.replicas', { n: env.replicas })}
      </p>
      {env.requiresApproval || env.autoRelease ? (
        <p className="env-badges">
          {env.requiresApproval ? (
            <span className="badge badge-warn">{t('apps.approvalRequired')}</span>
          ) : null}
          {env.autoRelease ? (
            <span className="badge">
              {t('apps.autoRelease', { branches: env.autoRelease.branches.join(', ') })}
            </span>
          ) : null}
        </p>
      ) : null}
      <div className="env-actions">
        <form
          className="env-action-row"
          onSubmit={(e) => {
            e.preventDefault();
            const value = image.trim();
            if (!value) return;
            void act(
              `${envPath}/deploy`,
              /^sha256:[0-9a-f]{64}$/.test(value) ? { imageDigest: value } : { image: value },
            ).then(() => setImage(''));
          }}
        >
          <input
            data-testid={`deploy-image-${id}`}
            className="grow"
            value={image}
            aria-label={t('apps.imagePlaceholder')}
            placeholder={t('apps.imagePlaceholder')}
            onChange={(e) => setImage(e.target.value)}
          />
          <button type="submit" className="primary" data-testid={`deploy-${id}`} disabled={!image.trim()}>
            {t('apps.deploy')}
          </button>
        </form>
        {previous || waiting ? (
          <div className="env-action-row">
            {previous ? (
              <button
                type="button"
                data-testid={`promote-${id}`}
                onClick={() => void act(`${envPath}/promote`, { from: previous })}
              >
                {t('apps.promote', { env: previous })}
              </button>
            ) : null}
            {waiting ? (
              <button
                type="button"
                className="primary"
                data-testid={`approve-${id}`}
                onClick={() => void act(`${envPath}/releases/${waiting.number}/approve`, {})}
              >
                {t('apps.approve', { n: waiting.number })}
              </button>
            ) : null}
          </div>
        ) : null}
        <form
          className="env-action-row"
          onSubmit={(e) => {
            e.preventDefault();
            void act(`${envPath}/scale`, { replicas: Number(replicas) });
          }}
        >
          <input
            data-testid={`scale-input-${id}`}
            className="replicas-input"
            aria-label={t('apps.scale')}
            type="number"
            min={0}
            max={100}
            value={replicas}
            onChange={(e) => setReplicas(e.target.value)}
          />
          <button type="submit" data-testid={`scale-${id}`} disabled={!running}>
            {t('apps.scale')}
          </button>
        </form>
      </div>
    </section>
  );
}

function ReleaseHistory({
  project,
  app,
  releases,
  t,
  act,
}: {
  project: string;
  app: string;
  releases: ReleaseJson[];
  t: TFunction;
  act: (path: string, body: unknown) => Promise<void>;
}) {
  const now = useNow(30_000);
  return (
    <div className="table-wrap">
      <table className="records-table releases-table" data-testid={`releases-${app}`}>
        <thead>
          <tr>
            <th>{t('apps.version')}</th>
            <th>{t('apps.environment')}</th>
            <th>{t('apps.digest')}</th>
            <th>{t('apps.trigger')}</th>
            <th>{t('apps.who')}</th>
            <th>{t('apps.when')}</th>
            <th>{t('apps.duration')}</th>
            <th>{t('apps.result')}</th>
            <th>{t('apps.run')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {releases.map((r) => (
            <tr key={r.id} data-testid={`release-${app}-${r.number}`}>
              <td data-label={t('apps.version')}>
                <strong>#{r.number}</strong>
              </td>
              <td data-label={t('apps.environment')}>{r.environment}</td>
              <td data-label={t('apps.digest')}>
                <code title={r.digest ?? r.image ?? ''}>{shortImage(r)}</code>
              </td>
              <td data-label={t('apps.trigger')}>
                {r.trigger === 'rollback'
                  ? t('apps.trigger.rollback', { n: r.rollbackOf ?? '?' })
                  : t(`apps.trigger.${r.trigger}`)}
              </td>
              <td data-label={t('apps.who')}>{r.actor}</td>
              <td
                data-label={t('apps.when')}
                className="cell-time"
                title={new Date(r.createdAt).toLocaleString()}
              >
                {formatAgo(r.createdAt, now, t)}
              </td>
              <td data-label={t('apps.duration')} className="cell-time">
                {r.durationMs === null ? '–' : formatDuration(r.durationMs, t)}
              </td>
              <td
                data-label={t('apps.result')}
                data-testid={`release-status-${app}-${r.number}`}
                title={r.reason ?? ''}
              >
                <span className={`status-word status-${r.status}`}>{t(`apps.status.${r.status}`)}</span>
              </td>
              <td data-label={t('apps.run')}>
                {r.releaseRun ? (
                  <Link href={`/projects/${encodeURIComponent(project)}/runs/${r.releaseRun}`}>
                    #{r.releaseRun}
                  </Link>
                ) : (
                  '–'
                )}
              </td>
              <td className="cell-action">
                {r.status === 'succeeded' && r.trigger !== 'scale' ? (
                  <button
                    type="button"
                    className="button-small"
                    data-testid={`rollback-${app}-${r.number}`}
                    onClick={() =>
                      void act(`/environments/${encodeURIComponent(r.environment)}/rollback`, {
                        release: r.number,
                      })
                    }
                  >
                    {t('apps.rollback')}
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** `sha256:0123456789ab` when pinned, else the reference itself (a tag or a local image id). */
function shortImage(r: ReleaseJson): string {
  if (r.digest) return r.digest.slice(0, 19);
  if (!r.image) return '–';
  return r.image.startsWith('sha256:') ? r.image.slice(0, 19) : r.image;
}

export default ApplicationsPage;
