import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client.js';
import { queryKeys, type RunFilters } from '../api/query-keys.js';
import type { Status } from '../api/types.js';
import { useI18n } from '../app/i18n-context.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { useNow } from '../components/use-now.js';
import { RecordRow } from './project/RecordRow.js';

const FILTER_STATUSES: Status[] = ['running', 'queued', 'succeeded', 'failed', 'canceled', 'manual'];
const PAGE = 30;

/**
 * The execution records table: newest first, filtered by branch and status, paged by the API's
 * keyset cursor. Runs start and change under our eyes: the project's event stream (followed by
 * ProjectPage through useServerEvents) writes them into this list's cache.
 */
export function RecordsTab({ project }: { project: string }) {
  const { t, lang } = useI18n();
  const [filters, setFilters] = useState<RunFilters>({ branch: '', status: '' });
  // Ages ("committed 5 minutes ago") move slowly; running rows tick on their own (RecordRow).
  const now = useNow(20_000);
  const list = useInfiniteQuery({
    queryKey: queryKeys.runs(project, filters),
    queryFn: ({ pageParam }) =>
      api.runs(project, { ...filters, limit: PAGE, ...(pageParam === null ? {} : { before: pageParam }) }),
    initialPageParam: null as number | null,
    getNextPageParam: (last) => last.next,
    // While another filter's first page loads, the rows shown stay instead of flashing away.
    placeholderData: keepPreviousData,
  });
  const runs = list.data?.pages.flatMap((page) => page.runs) ?? [];
  const error = list.error;
  const loaded = list.data !== undefined;

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
      {list.hasNextPage ? (
        <button
          type="button"
          className="more"
          data-testid="more-records"
          onClick={() => void list.fetchNextPage()}
        >
          {t('records.more')}
        </button>
      ) : null}
    </div>
  );
}
