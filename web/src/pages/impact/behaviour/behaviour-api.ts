import type { BehaviourReport, FeedbackItem, SiteJson } from '../../../../../src/api/behaviour.js';
import { apiFetch } from '../../../api/http.js';

export type { BehaviourReport, FeedbackItem, SiteJson };

export function appApi(project: string, app: string): string {
  return `/api/projects/${encodeURIComponent(project)}/applications/${encodeURIComponent(app)}`;
}

/** The web path of the application's impact view (owned by the impact pages). */
export function impactPath(project: string, app: string): string {
  return `/projects/${encodeURIComponent(project)}/applications/${encodeURIComponent(app)}/impact`;
}

export const behaviourApi = {
  site: (project: string, app: string) => apiFetch<SiteJson>(`${appApi(project, app)}/collect-site`),
  saveSite: (project: string, app: string, body: Pick<SiteJson, 'origins' | 'feedbackEnabled'>) =>
    apiFetch<SiteJson>(`${appApi(project, app)}/collect-site`, { method: 'PUT', body }),
  report: (project: string, app: string, query: string) =>
    apiFetch<BehaviourReport & { release: number | null }>(`${appApi(project, app)}/behaviour?${query}`),
  feedback: (project: string, app: string, query: string) =>
    apiFetch<{ messages: FeedbackItem[] }>(`${appApi(project, app)}/feedback?${query}`),
  resolve: (project: string, app: string, id: string, resolved: boolean) =>
    apiFetch<void>(`${appApi(project, app)}/feedback/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      body: { resolved },
    }),
};
