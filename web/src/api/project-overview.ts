import type { CommitAtRef, ProjectOverviewJsonType } from '../../../src/api/project-overview.js';
import { apiFetch } from './http.js';

/** The project page header's reads (project-overview-routes.ts). */
export type ProjectOverview = ProjectOverviewJsonType;

export type { CommitAtRef };

const p = (project: string) => `/api/projects/${encodeURIComponent(project)}`;

export const overviewApi = {
  overview: (project: string) => apiFetch<ProjectOverview>(`${p(project)}/overview`),
  /** What the branch or tag points at now (no ref: the default branch). */
  commit: (project: string, ref: { kind: 'branch' | 'tag'; name: string } | null) =>
    apiFetch<CommitAtRef>(`${p(project)}/commit${ref ? `?${ref.kind}=${encodeURIComponent(ref.name)}` : ''}`),
};
