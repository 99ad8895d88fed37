import type { InfiniteData } from '@tanstack/react-query';
import type { RunFilters } from './query-keys.js';
import type { RunPage, RunSummary } from './types.js';

/** A runs list as the records table caches it: the pages loaded so far, newest first. */
export type RunPages = InfiniteData<RunPage, number | null>;

/**
 * Puts a changed or new run in its place in one cached runs list (newest first), unless the
 * list's filters exclude it. A run already shown is updated where it is, even when it no
 * longer matches the status filter: rows jumping away under the pointer are worse than a row
 * that leaves on the next reload. Events carry no test counts, so the shown counts are kept.
 */
export function upsertRun(data: RunPages, run: RunSummary, filters: RunFilters): RunPages {
  for (const [index, page] of data.pages.entries()) {
    const i = page.runs.findIndex((r) => r.number === run.number);
    if (i < 0) continue;
    const runs = page.runs.slice();
    runs[i] = { ...run, tests: run.tests ?? page.runs[i]?.tests ?? null };
    return { ...data, pages: data.pages.map((p, j) => (j === index ? { ...p, runs } : p)) };
  }
  const matches =
    (!filters.status || run.status === filters.status) &&
    (!filters.branch || (run.ref.kind === 'branch' && run.ref.name === filters.branch));
  if (!matches) return data;
  const shown = data.pages.flatMap((p) => p.runs);
  // Only runs newer than the oldest shown belong on the pages loaded so far.
  const oldest = shown.at(-1)?.number ?? 0;
  if (shown.length > 0 && run.number < oldest) return data;
  // Every page but the last ends at a cursor; a run newer than the first page's end goes there.
  const target = data.pages.findIndex(
    (p, j) => j === data.pages.length - 1 || (p.runs.at(-1)?.number ?? 0) < run.number,
  );
  return {
    ...data,
    pages: data.pages.map((p, j) =>
      j === Math.max(target, 0) ? { ...p, runs: [...p.runs, run].sort((a, b) => b.number - a.number) } : p,
    ),
  };
}

/** Sets one run's test counts wherever it is shown (they are read once the run has ended). */
export function patchRunTests(data: RunPages, number: number, tests: RunSummary['tests']): RunPages {
  return {
    ...data,
    pages: data.pages.map((p) =>
      p.runs.some((r) => r.number === number)
        ? { ...p, runs: p.runs.map((r) => (r.number === number ? { ...r, tests } : r)) }
        : p,
    ),
  };
}
