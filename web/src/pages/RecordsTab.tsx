import { useEffect, useState } from 'react';
import { Link } from 'wouter';
import { api } from '../api/client.js';
import { useProjectEvents } from '../api/events.js';
import type { RunSummary, Status } from '../api/types.js';
import { useAuth } from '../app/auth.js';
import { useI18n } from '../app/i18n-context.js';
import { Avatar } from '../components/Avatar.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { RunManually } from '../components/RunManually.js';
import { refLabel } from '../components/ref-label.js';
import { StatusIcon, statusIcon } from '../components/StatusIcon.js';
import { useNow } from '../components/use-now.js';
import { formatAgo, formatDuration, formatTime } from '../i18n/format.js';
import type { TFunction } from '../i18n/index.js';

const FILTER_STATUSES: Status[] = ['running', 'queued', 'succeeded', 'failed', 'canceled', 'manual'];
const PAGE = 30;

interface Filters {
  branch: string;
  status: Status | '';
}

/**
 * The execution records table: newest first, filtered by branch and status, paged by the API's
 * keyset cursor. Runs start and change under our eyes through the project's event stream.
 */
export function RecordsTab({ project }: { project: string }) {
  const { t, lang } = useI18n();
  const { can } = useAuth();
  const [filters, setFilters] = useState<Filters>({ branch: '', status: '' });
  const [runs, setRuns] = useState<RunSummary[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loaded, setLoaded] = useState(false);
  const [reloads, setReloads] = useState(0);
  const now = useNow(10_000);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `reloads` forces a re-read after a reconnect
  useEffect(() => {
    let stale = false;
    api.runs(project, { ...filters, limit: PAGE }).then(
      (page) => {
        if (stale) return;
        setRuns(page.runs);
        setNext(page.next);
        setError(null);
        setLoaded(true);
      },
      (err: unknown) => {
        if (!stale) setError(err);
      },
    );
    return () => {
      stale = true;
    };
  }, [project, filters, reloads]);

  useProjectEvents(
    project,
    (event) => {
      if (event.type !== 'run') return;
      const run = event.data;
      setRuns((list) => upsert(list, run, filters));
    },
    () => setReloads((n) => n + 1),
  );

  async function more() {
    if (next === null) return;
    try {
      const page = await api.runs(project, { ...filters, before: next, limit: PAGE });
      setRuns((list) => [...list, ...page.runs.filter((r) => !list.some((x) => x.number === r.number))]);
      setNext(page.next);
    } catch (err) {
      setError(err);
    }
  }

  return (
    <div className="records">
      {can('maintainer') ? (
        <RunManually
          project={project}
          t={t}
          onStarted={(run) => setRuns((list) => upsert(list, run, filters))}
        />
      ) : null}
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('records.branch')}
          <input
            type="search"
            data-testid="filter-branch"
            defaultValue={filters.branch}
            placeholder={t('records.allBranches')}
            onKeyDown={(e) => {
              if (e.key === 'Enter') setFilters((f) => ({ ...f, branch: e.currentTarget.value.trim() }));
            }}
            onBlur={(e) => setFilters((f) => ({ ...f, branch: e.currentTarget.value.trim() }))}
          />
        </label>
        <label>
          {t('records.status')}
          <select
            data-testid="filter-status"
            value={filters.status}
            onChange={(e) => setFilters((f) => ({ ...f, status: e.target.value as Status | '' }))}
          >
            <option value="">{t('records.allStatuses')}</option>
            {FILTER_STATUSES.map((s) => (
              <option key={s} value={s}>
                {statusIcon(s)} {t(`status.${s}`)}
              </option>
            ))}
          </select>
        </label>
      </form>
      <ErrorNote error={error} />
      <div className="table-wrap">
        <table data-testid="records" className="records-table">
          <thead>
            <tr>
              <th scope="col">{t('records.record')}</th>
              <th scope="col">{t('records.trigger')}</th>
              <th scope="col">{t('records.ref')}</th>
              <th scope="col">{t('records.stages')}</th>
              <th scope="col">{t('records.time')}</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((run) => (
              <RecordRow key={run.number} run={run} project={project} now={now} t={t} lang={lang} />
            ))}
          </tbody>
        </table>
      </div>
      {loaded && runs.length === 0 ? <p className="empty">{t('records.empty')}</p> : null}
      {next !== null ? (
        <button type="button" className="more" data-testid="more-records" onClick={() => void more()}>
          {t('records.more')}
        </button>
      ) : null}
    </div>
  );
}

function RecordRow({
  run,
  project,
  now,
  t,
  lang,
}: {
  run: RunSummary;
  project: string;
  now: number;
  t: TFunction;
  lang: string;
}) {
  const who = run.trigger === 'manual' ? run.actor : run.author || run.actor;
  const elapsed =
    run.durationMs ?? (run.startedAt !== null && run.finishedAt === null ? now - run.startedAt : null);
  return (
    <tr data-testid="record-row" data-number={run.number} data-status={run.status}>
      <td className="cell-record">
        <div className="stack">
          <Link href={`/projects/${encodeURIComponent(project)}/runs/${run.number}`} className="record-name">
            <StatusIcon status={run.status} t={t} />
            <span>{run.record}</span>
          </Link>
          <span className="record-meta">
            <span className="muted">#{run.number}</span> <StatusWord status={run.status} t={t} />
            {run.attempt > 1 ? (
              <span className="muted" data-testid="run-attempt" title={t('run.attemptHint')}>
                {' · '}
                {t('run.attempt', { n: run.attempt })}
              </span>
            ) : null}
            {run.cancelReason?.code === 'superseded' ? (
              <span className="muted" data-testid="run-superseded">
                {' · '}
                {t('run.supersededBy', { n: run.cancelReason.by })}
              </span>
            ) : null}
            {run.waiting && run.status === 'queued' ? (
              <span className="muted" data-testid="run-waiting" title={t('run.waitingHint')}>
                {' · '}
                {t(`run.waiting.${run.waiting.code}`, { labels: run.waiting.labels.join(', ') })}
              </span>
            ) : null}
          </span>
          {run.message ? <span className="record-message">{firstLine(run.message)}</span> : null}
        </div>
      </td>
      <td className="cell-who" data-label={t('records.trigger')}>
        <Avatar name={who} />
        <span>
          {who}
          <span className="muted"> · {t(`trigger.${run.trigger}`)}</span>
        </span>
      </td>
      <td className="cell-ref" data-label={t('records.ref')}>
        <span className="ref-name">{refLabel(run.ref, t)}</span> <code className="muted">{run.shortSha}</code>
      </td>
      <td className="cell-stages" data-label={t('records.stages')}>
        <ol className="stage-icons">
          {run.stages.map((s) => (
            <li
              key={s.name}
              title={`${s.name}: ${t(`status.${s.status}`)}`}
              data-stage={s.name}
              data-status={s.status}
            >
              <span aria-hidden="true">{statusIcon(s.status)}</span>
              <span className="stage-name">{s.name}</span>
              <span className="sr-only">{t(`status.${s.status}`)}</span>
            </li>
          ))}
        </ol>
      </td>
      <td className="cell-time" data-label={t('records.time')}>
        <div className="stack">
          {elapsed !== null ? <span>{t('records.took', { d: formatDuration(elapsed, t) })}</span> : null}
          <time
            className="muted"
            dateTime={new Date(run.createdAt).toISOString()}
            title={formatTime(run.createdAt, lang)}
          >
            {formatAgo(run.createdAt, now, t)}
          </time>
        </div>
      </td>
    </tr>
  );
}

function StatusWord({ status, t }: { status: Status; t: TFunction }) {
  return <span className={`status-word status-${status}`}>{t(`status.${status}`)}</span>;
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 120 ? `${line.slice(0, 119)}…` : line;
}

/** Puts a changed or new run in its place (newest first), unless the filters exclude it. */
function upsert(list: RunSummary[], run: RunSummary, filters: Filters): RunSummary[] {
  const i = list.findIndex((r) => r.number === run.number);
  const matches =
    (!filters.status || run.status === filters.status) &&
    (!filters.branch || (run.ref.kind === 'branch' && run.ref.name === filters.branch));
  if (i >= 0) {
    // A row leaving the status filter stays until the next reload: rows jumping away are worse.
    const copy = list.slice();
    copy[i] = run;
    return copy;
  }
  if (!matches) return list;
  const oldest = list.at(-1)?.number ?? 0;
  // Only runs newer than the oldest shown belong on the pages loaded so far.
  if (list.length > 0 && run.number < oldest) return list;
  return [...list, run].sort((a, b) => b.number - a.number);
}
