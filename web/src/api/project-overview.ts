import type { ProjectOverviewJsonType } from '../../../src/server/projects/project-overview.js';
import { apiFetch } from './http.js';

/** The project page header's reads (project-overview-routes.ts). */
export type ProjectOverview = ProjectOverviewJsonType;

export interface CommitAtRef {
  ref: { kind: 'branch' | 'tag'; name: string };
  sha: string;
  shortSha: string;
  message: string;
  author: string;
  time: number | null;
}

const p = (project: string) => `/api/projects/${encodeURIComponent(project)}`;

export const overviewApi = {
  overview: (project: string) => apiFetch<ProjectOverview>(`${p(project)}/overview`),
  /** What the branch or tag points at now (no ref: the default branch). */
  commit: (project: string, ref: { kind: 'branch' | 'tag'; name: string } | null) =>
    apiFetch<CommitAtRef>(`${p(project)}/commit${ref ? `?${ref.kind}=${encodeURIComponent(ref.name)}` : ''}`),
};
