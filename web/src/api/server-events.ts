import type { QueryClient } from '@tanstack/react-query';
import type {
  EnvironmentEventData,
  ImageEventData,
  ProjectEventKind,
  ReleaseEventData,
} from '../../../src/api/events.js';
import { api } from './client.js';
import { queryKeys, type RunFilters } from './query-keys.js';
import { patchRunTests, type RunPages, upsertRun } from './runs-cache.js';
import type { JobJson, RunDetail, RunSummary, Status } from './types.js';

interface EventBase {
  runId: string;
  number: number;
}

/**
 * Every kind of event `GET /api/projects/:p/events` sends (`event:` is the `type`), with its data.
 * A release's progress also shows as its deploy run's run and job events; `release` comes once
 * the release row itself has changed.
 */
export type ServerEvent =
  | (EventBase & { type: 'run'; data: RunSummary })
  | (EventBase & { type: 'job'; data: JobJson })
  | (EventBase & { type: 'image'; data: ImageEventData })
  | (EventBase & { type: 'environment'; data: EnvironmentEventData })
  | (EventBase & { type: 'release'; data: ReleaseEventData });

export type ServerEventKind = ServerEvent['type'];

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/**
 * Fails to compile when the server's ProjectEvent gains (or loses) a kind this union does not
 * list; the exhaustive switch below then says what the new kind must update.
 */
const kindsMatchServer: Same<ServerEventKind, ProjectEventKind> = true;

/** The `event:` names to listen for (EventSource delivers named events only to their listeners). */
export const SERVER_EVENT_KINDS = Object.keys({
  run: kindsMatchServer,
  job: true,
  image: true,
  environment: true,
  release: true,
} satisfies Record<ServerEventKind, true>) as ServerEventKind[];

const TERMINAL = new Set<Status>(['succeeded', 'failed', 'canceled', 'skipped']);

/**
 * Turns one event of `project`'s stream into cache updates: what the event carries is written
 * into the cached lists and records directly (no request), what it only announces is
 * invalidated (re-read if a page shows it, marked stale otherwise).
 */
export function applyServerEvent(client: QueryClient, project: string, event: ServerEvent): void {
  switch (event.type) {
    case 'run':
      applyRun(client, project, event.data);
      return;
    case 'job':
      applyJob(client, project, event.number, event.data);
      return;
    case 'image':
      void client.invalidateQueries({ queryKey: queryKeys.images(project) });
      return;
    case 'environment':
      // Observed health changed: the applications' environment cards show it.
      void client.invalidateQueries({ queryKey: queryKeys.applications(project), exact: true });
      return;
    case 'release':
      // The application's environments (what runs), its release history, verdicts and impact.
      void client.invalidateQueries({ queryKey: queryKeys.applications(project) });
      return;
    default: {
      // A kind added to ServerEvent without a case here does not compile.
      const unhandled: never = event;
      throw new Error(`no cache update for server event ${JSON.stringify(unhandled)}`);
    }
  }
}

function applyRun(client: QueryClient, project: string, run: RunSummary): void {
  for (const query of client.getQueryCache().findAll({ queryKey: queryKeys.runLists(project) })) {
    const filters = query.queryKey[3] as RunFilters;
    client.setQueryData<RunPages>(query.queryKey, (old) => (old ? upsertRun(old, run, filters) : old));
  }
  client.setQueryData<RunDetail>(queryKeys.run(project, run.number), (old) =>
    old ? { ...old, ...run } : old,
  );
  // Reports and uploads arrive as jobs end; the run's own key is fresh from the event itself.
  void client.invalidateQueries({ queryKey: queryKeys.runTests(project, run.number) });
  void client.invalidateQueries({ queryKey: queryKeys.runArtifacts(project, run.number) });
  // Every release is a run: the applications, their releases and impact follow its progress.
  void client.invalidateQueries({ queryKey: queryKeys.applications(project) });
  if (TERMINAL.has(run.status)) {
    // The header's latest run, success rate and durations; the projects list's latest run.
    void client.invalidateQueries({ queryKey: queryKeys.overview(project) });
    void client.invalidateQueries({ queryKey: queryKeys.projects() });
    void refreshTestCounts(client, project, run.number);
  }
}

function applyJob(client: QueryClient, project: string, number: number, job: JobJson): void {
  client.setQueryData<RunDetail>(queryKeys.run(project, number), (old) =>
    old ? { ...old, jobs: old.jobs.map((j) => (j.name === job.name ? job : j)) } : old,
  );
  if (TERMINAL.has(job.status)) {
    void client.invalidateQueries({ queryKey: queryKeys.runTests(project, number) });
    void client.invalidateQueries({ queryKey: queryKeys.runArtifacts(project, number) });
  }
}

/** Events carry no test counts: once a run has ended, its row's counts are read once. */
async function refreshTestCounts(client: QueryClient, project: string, number: number): Promise<void> {
  try {
    const page = await api.runs(project, { before: number + 1, limit: 1 });
    const fresh = page.runs.find((r) => r.number === number);
    if (!fresh) return;
    client.setQueriesData<RunPages>({ queryKey: queryKeys.runLists(project) }, (old) =>
      old ? patchRunTests(old, number, fresh.tests) : old,
    );
  } catch {
    // the counts appear with the next load of the list; the row itself is already up to date
  }
}
