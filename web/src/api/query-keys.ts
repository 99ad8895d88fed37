import type { Status } from './types.js';

/**
 * Every query key of the web app, in one place so the events hook and the pages agree on them.
 * Keys are hierarchical: all of a project's data lives under `['project', name]`, so one
 * `invalidateQueries({ queryKey: queryKeys.projectScope(name) })` re-reads everything a project's
 * pages show (the event stream has no history to replay after a reconnect). A run's tests and
 * artifacts live under its run key, and releases, verdicts and impact under their application.
 */

export interface RunFilters {
  branch: string;
  status: Status | '';
}

const scope = (project: string) => ['project', project] as const;
const app = (project: string, name: string) => [...scope(project), 'applications', name] as const;

export const queryKeys = {
  projects: () => ['projects'] as const,
  projectScope: scope,
  project: (project: string) => [...scope(project), 'detail'] as const,
  overview: (project: string) => [...scope(project), 'overview'] as const,
  pipeline: (project: string, ref: string | undefined) => [...scope(project), 'pipeline', ref ?? ''] as const,

  /** Prefix of every runs-list page set of a project (one per filter combination). */
  runLists: (project: string) => [...scope(project), 'runs'] as const,
  runs: (project: string, filters: RunFilters) => [...scope(project), 'runs', filters] as const,
  run: (project: string, number: number) => [...scope(project), 'run', number] as const,
  runTests: (project: string, number: number) => [...scope(project), 'run', number, 'tests'] as const,
  runArtifacts: (project: string, number: number) => [...scope(project), 'run', number, 'artifacts'] as const,

  images: (project: string) => [...scope(project), 'images'] as const,
  /** The applications list; also the prefix of everything below one application. */
  applications: (project: string) => [...scope(project), 'applications'] as const,
  releases: (project: string, name: string) => [...app(project, name), 'releases'] as const,
  verdicts: (project: string, name: string) => [...app(project, name), 'verdicts'] as const,
  impactTimeline: (project: string, name: string, params: { environment: string; from: string }) =>
    [...app(project, name), 'impact', params] as const,
  // Visitors' behaviour and feedback do not follow releases: kept outside the application's
  // prefix, so a run event does not re-read them.
  behaviour: (project: string, name: string, query: string) =>
    [...scope(project), 'behaviour', name, 'report', query] as const,
  collectSite: (project: string, name: string) => [...scope(project), 'behaviour', name, 'site'] as const,
  /** Prefix of an application's feedback lists (one per filter). */
  feedbackLists: (project: string, name: string) =>
    [...scope(project), 'behaviour', name, 'feedback'] as const,
  feedback: (project: string, name: string, query: string) =>
    [...scope(project), 'behaviour', name, 'feedback', query] as const,

  members: (project: string) => [...scope(project), 'members'] as const,
  secrets: (project: string) => [...scope(project), 'secrets'] as const,
  schedules: (project: string) => [...scope(project), 'schedules'] as const,
  caches: (project: string) => [...scope(project), 'caches'] as const,
  /** A project's registry credentials, or the instance's (admin) ones for `null`. */
  registries: (project: string | null) =>
    project === null ? (['admin', 'registries'] as const) : ([...scope(project), 'registries'] as const),

  /** Settings read by their URL as-is: notification channels (a project's or the global ones), deliveries. */
  apiPath: (path: string) => ['api', path] as const,
  commitStatus: (project: string) => [...scope(project), 'commit-status'] as const,

  insights: (query: string) => ['insights', query] as const,
  insightsChanges: (query: string, metric: string) => ['insights', query, 'changes', metric] as const,
  tokens: () => ['tokens'] as const,
  adminAgents: () => ['admin', 'agents'] as const,
  adminUsers: () => ['admin', 'users'] as const,
  adminInvites: () => ['admin', 'invites'] as const,
  adminAudit: (filter: unknown) => ['admin', 'audit', filter] as const,
};
