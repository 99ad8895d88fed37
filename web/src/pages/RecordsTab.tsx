import { useEffect, useState } from 'react';
import { api } from '../api/client.js';
import { useProjectEvents } from '../api/events.js';
import type { RunSummary, Status } from '../api/types.js';
import { useI18n } from '../app/i18n-context.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { useNow } from '../components/use-now.js';
import { RecordRow } from './project/RecordRow.js';

const TERMINAL = new Set<Status>(['succeeded', 'failed', 'canceled', 'skipped']);
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
export function RecordsTab({ project, onRunFinished }: { project: string; onRunFinished?: () => void }) {
  const { t, lang } = useI18n();
  const [filters, setFilters] = useState<Filters>({ branch: '', status: '' });
  const [runs, setRuns] = useState<RunSummary[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loaded, setLoaded] = useState(false);
  const [reloads, setReloads] = useState(0);
  // Ages ("committed 5 minutes ago") move slowly; running rows tick on their own (RecordRow).
  const now = useNow(20_000);

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
      if (TERMINAL.has(run.status)) {
        // Events carry no test counts: re-read this one row once it has ended, and tell the header.
        void refreshTests(run.number);
        onRunFinished?.();
      }
    },
    () => setReloads((n) => n + 1),
  );

  async function refreshTests(number: number) {
    try {
      const page = await api.runs(project, { before: number + 1, limit: 1 });
      const fresh = page.runs.find((r) => r.number === number);
      if (fresh) setRuns((list) => list.map((r) => (r.number === number ? { ...r, tests: fresh.tests } : r)));
    } catch {
      // the counts appear on the next load; the row itself is already up to date
    }
  }

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
                {t(`status.${s}`)}
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
              <th scope="col">{t('records.tests')}</th>
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

/** Puts a changed or new run in its place (newest first), unless the filters exclude it. */
function upsert(list: RunSummary[], run: RunSummary, filters: Filters): RunSummary[] {
  const i = list.findIndex((r) => r.number === run.number);
  const matches =
    (!filters.status || run.status === filters.status) &&
    (!filters.branch || (run.ref.kind === 'branch' && run.ref.name === filters.branch));
  if (i >= 0) {
    // A row leaving the status filter stays until the next reload: rows jumping away are worse.
    const copy = list.slice();
    copy[i] = { ...run, tests: run.tests ?? list[i]?.tests ?? null };
    return copy;
  }
  if (!matches) return list;
  const oldest = list.at(-1)?.number ?? 0;
  // Only runs newer than the oldest shown belong on the pages loaded so far.
  if (list.length > 0 && run.number < oldest) return list;
  return [...list, run].sort((a, b) => b.number - a.number);
}
