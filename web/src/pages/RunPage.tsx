import { useQuery } from '@tanstack/react-query';
import { Play } from 'lucide-react';
import { useState } from 'react';
import { Link, useLocation, useSearchParams } from 'wouter';
import { api } from '../api/client.js';
import { queryKeys } from '../api/query-keys.js';
import type { JobJson, RunDetail, Status } from '../api/types.js';
import { useServerEvents } from '../api/use-server-events.js';
import { useAuth } from '../app/auth.js';
import { useI18n } from '../app/i18n-context.js';
import { roleAtLeast } from '../app/project-role.js';
import { CancelReasonNote } from '../components/CancelReasonNote.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { refLabel } from '../components/ref-label.js';
import { StatusIcon } from '../components/StatusIcon.js';
import { useNow } from '../components/use-now.js';
import { formatAgo, formatDuration, formatTime } from '../i18n/format.js';
import type { TFunction } from '../i18n/index.js';
import { LogView } from '../log/LogView.js';
import { playable } from './manual-gate.js';
import { RunArtifactsAndTests } from './run/RunArtifactsAndTests.js';
import { failureText, runFailureText, skipText } from './run/reason-text.js';
import { runTitle } from './run-title.js';

const LIVE: readonly Status[] = ['pending', 'queued', 'running'];
const ACTIVE: readonly Status[] = ['pending', 'queued', 'running', 'manual'];

/**
 * One execution record: stages as columns, jobs as cards (status, duration, Run for manual
 * jobs); cancel / rerun / resume from failed; the selected job's log on the right. Follows the
 * project's event stream, so nothing needs a reload.
 */
export function RunPage({ project, number }: { project: string; number: number }) {
  const { t, lang } = useI18n();
  const { can } = useAuth();
  const { data: run, error } = useQuery({
    queryKey: queryKeys.run(project, number),
    queryFn: () => api.run(project, number),
  });
  // Start, cancel, rerun and manual jobs need the developer role in this project (not the instance's).
  const { data: projectInfo } = useQuery({
    queryKey: queryKeys.project(project),
    queryFn: () => api.project(project),
  });
  const canAct = projectInfo?.myRole ? roleAtLeast(projectInfo.myRole, 'developer') : can('maintainer');
  const [params, setParams] = useSearchParams();
  const [actionError, setActionError] = useState<unknown>(null);
  const [, navigate] = useLocation();
  const now = useNow(1000);

  // Status and job changes arrive through the project's event stream, written into the cache.
  useServerEvents(project);

  const selectedName = params.get('job') ?? pickDefault(run);
  const selected = run?.jobs.find((j) => j.name === selectedName) ?? null;
  const select = (job: string) =>
    setParams(
      (p) => {
        p.set('job', job);
        return p;
      },
      { replace: true },
    );

  async function act(action: () => Promise<unknown>) {
    setActionError(null);
    try {
      await action();
    } catch (err) {
      setActionError(err);
    }
  }

  if (error) return <ErrorNote error={error} />;
  if (!run) return <p className="loading">{t('common.loading')}</p>;
  const stages = groupByStage(run);
  const hasFailed = run.jobs.some((j) => j.status === 'failed' || j.status === 'canceled');
  const base = `/projects/${encodeURIComponent(project)}`;
  const elapsed = run.durationMs ?? (run.startedAt !== null ? now - run.startedAt : null);

  return (
    <section className="page run-page">
      <div className="page-head">
        <h1>
          <Link href={base} className="crumb">
            {project}
          </Link>
          <span aria-hidden="true"> / </span>
          <span data-testid="run-record">{run.record}</span>
        </h1>
        <div className="actions">
          {canAct && ACTIVE.includes(run.status) ? (
            <button
              type="button"
              data-testid="cancel-run"
              onClick={() => void act(() => api.cancelRun(project, number))}
            >
              {t('run.cancel')}
            </button>
          ) : null}
          {canAct ? (
            <button
              type="button"
              data-testid="rerun"
              onClick={() =>
                void act(async () =>
                  navigate(`${base}/runs/${(await api.rerun(project, number, false)).number}`),
                )
              }
            >
              {t('run.rerun')}
            </button>
          ) : null}
          {canAct && hasFailed && !ACTIVE.includes(run.status) ? (
            <button
              type="button"
              data-testid="resume-failed"
              onClick={() =>
                void act(async () =>
                  navigate(`${base}/runs/${(await api.rerun(project, number, true)).number}`),
                )
              }
            >
              {t('run.resumeFailed')}
            </button>
          ) : null}
        </div>
      </div>
      <p className="run-summary" data-testid="run-status" data-status={run.status}>
        <StatusIcon status={run.status} t={t} withWord />
        <span>
          {refLabel(run.ref, t)} <code>{run.shortSha}</code>
        </span>
        <span className="muted">{runTitle(run, t)}</span>
        {elapsed !== null ? <span>{t('records.took', { d: formatDuration(elapsed, t) })}</span> : null}
        {run.attempt > 1 ? (
          <span data-testid="run-attempt" title={t('run.attemptHint')}>
            {t('run.attempt', { n: run.attempt })}
          </span>
        ) : null}
        <span className="muted" title={formatTime(run.createdAt, lang)}>
          {formatAgo(run.createdAt, now, lang)}
        </span>
        {run.variables.length > 0 ? (
          <span className="muted">
            {t('run.variables')}: {run.variables.join(', ')}
          </span>
        ) : null}
      </p>
      {run.failure ? (
        <p
          className="error"
          data-testid="run-failure"
          data-reason={run.failure.reason}
          title={run.failure.message}
        >
          {runFailureText(run.failure, t)}
        </p>
      ) : null}
      <CancelReasonNote run={run} t={t} />
      {/* A live event updates the status but carries no reason: show it only while queued. */}
      {run.waiting && run.status === 'queued' ? (
        <p className="muted" data-testid="run-waiting" title={t('run.waitingHint')}>
          {t(`run.waiting.${run.waiting.code}`, { labels: run.waiting.labels.join(', ') })}
        </p>
      ) : null}
      {run.diagnostics.length > 0 ? (
        <ul className="diagnostics">
          {run.diagnostics.map((d) => (
            <li key={`${d.line}:${d.col}:${d.code}`} className={`diag diag-${d.severity}`}>
              {d.file}:{d.line}:{d.col} {d.message}
            </li>
          ))}
        </ul>
      ) : null}
      <ErrorNote error={actionError} />
      <div className="run-layout">
        <div className="stages" data-testid="stages">
          {stages.map(([stage, jobs]) => (
            <div className="stage-column" key={stage} data-stage={stage}>
              <h2 className="stage-title">{stage}</h2>
              {jobs.map((job) => (
                <JobCard
                  key={job.name}
                  job={job}
                  now={now}
                  t={t}
                  selected={job.name === selected?.name}
                  onSelect={() => select(job.name)}
                  onPlay={
                    canAct && playable(run, job)
                      ? () => void act(() => api.playJob(project, number, job.name))
                      : undefined
                  }
                />
              ))}
            </div>
          ))}
        </div>
        <div className="log-pane">
          {selected ? (
            <>
              <h2 className="log-title">
                <StatusIcon status={selected.status} t={t} /> {selected.name}
                {selected.failure ? (
                  <span className="error-inline" data-testid="job-failure" title={selected.failure.message}>
                    {' '}
                    — {failureText(selected.failure, t)}
                  </span>
                ) : null}
                {selected.skip ? (
                  <span className="muted" data-testid="job-skip" title={selected.skip.message}>
                    {' '}
                    — {skipText(selected.skip, t)}
                  </span>
                ) : null}
              </h2>
              <LogView
                key={`${number}:${selected.name}`}
                project={project}
                run={number}
                job={selected.name}
                live={LIVE.includes(selected.status)}
                t={t}
              />
            </>
          ) : (
            <p className="empty">{t('run.pickJob')}</p>
          )}
        </div>
      </div>
      <RunArtifactsAndTests project={project} number={number} />
    </section>
  );
}

function JobCard({
  job,
  now,
  t,
  selected,
  onSelect,
  onPlay,
}: {
  job: JobJson;
  now: number;
  t: TFunction;
  selected: boolean;
  onSelect: () => void;
  onPlay: (() => void) | undefined;
}) {
  const elapsed =
    job.startedAt !== null
      ? (job.finishedAt ?? (job.status === 'running' ? now : job.startedAt)) - job.startedAt
      : null;
  return (
    <div
      className={selected ? 'job-card selected' : 'job-card'}
      data-testid="job-card"
      data-job={job.name}
      data-status={job.status}
    >
      <button type="button" className="job-select" aria-pressed={selected} onClick={onSelect}>
        <StatusIcon status={job.status} t={t} />
        <span className="job-name">{job.name}</span>
        <span className="job-meta muted">
          {t(`status.${job.status}`)}
          {elapsed !== null ? ` · ${formatDuration(elapsed, t)}` : ''}
          {job.allowFailure ? ` · ${t('run.allowFailure')}` : ''}
          {job.attempt > 1 ? ` · ${t('run.attempt', { n: job.attempt })}` : ''}
        </span>
      </button>
      {onPlay ? (
        <button
          type="button"
          className="play"
          data-testid="play-job"
          onClick={onPlay}
          aria-label={`${t('run.play')} ${job.name}`}
        >
          <Play size={14} aria-hidden="true" /> {t('run.play')}
        </button>
      ) : null}
    </div>
  );
}

function groupByStage(run: RunDetail): [string, JobJson[]][] {
  const order = run.stages.map((s) => s.name);
  const groups = new Map<string, JobJson[]>(order.map((s) => [s, []]));
  for (const job of run.jobs) {
    const list = groups.get(job.stage) ?? [];
    list.push(job);
    groups.set(job.stage, list);
  }
  return [...groups];
}

/** With nothing chosen: the first failed job, else the first running one, else the first. */
function pickDefault(run: RunDetail | undefined): string | null {
  if (!run) return null;
  return (
    run.jobs.find((j) => j.status === 'failed')?.name ??
    run.jobs.find((j) => j.status === 'running')?.name ??
    run.jobs[0]?.name ??
    null
  );
}
