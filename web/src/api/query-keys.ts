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
  impactTimeline: (project: string, name: string, params: unknown) =>
    [...app(project, name), 'impact', params] as const,
  releaseImpact: (project: string, name: string, release: unknown) =>
    [...app(project, name), 'release-impact', release] as const,
  behaviour: (project: string, name: string, params: unknown) =>
    [...app(project, name), 'behaviour', params] as const,
  collectSite: (project: string, name: string) => [...app(project, name), 'collect-site'] as const,
  feedback: (project: string, name: string, params: unknown) =>
    [...app(project, name), 'feedback', params] as const,

  members: (project: string) => [...scope(project), 'members'] as const,
  secrets: (project: string) => [...scope(project), 'secrets'] as const,
  schedules: (project: string) => [...scope(project), 'schedules'] as const,
  caches: (project: string) => [...scope(project), 'caches'] as const,
  registries: (project: string) => [...scope(project), 'registries'] as const,
  /** A settings path of the project read as-is (notification channels, commit statuses, deliveries). */
  projectPath: (project: string, path: string) => [...scope(project), 'path', path] as const,

  insights: (params: unknown) => ['insights', params] as const,
  tokens: () => ['tokens'] as const,
  adminAgents: () => ['admin', 'agents'] as const,
  adminUsers: () => ['admin', 'users'] as const,
  adminInvites: () => ['admin', 'invites'] as const,
  adminAudit: (filter: unknown) => ['admin', 'audit', filter] as const,
};
