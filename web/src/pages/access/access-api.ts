/** The members and visibility routes (src/server/http/routes/member-routes.ts). */
import type { MembersJson, ProjectRole } from '../../../../src/api/accounts.js';
import type { Visibility } from '../../../../src/api/projects.js';
import { apiFetch } from '../../api/http.js';

export type { MembersJson, ProjectRole, Visibility };

const base = (project: string) => `/api/projects/${encodeURIComponent(project)}`;

export const accessApi = {
  members: (project: string) => apiFetch<MembersJson>(`${base(project)}/members`),
  putMember: (project: string, username: string, role: ProjectRole) =>
    apiFetch<unknown>(`${base(project)}/members/${encodeURIComponent(username)}`, {
      method: 'PUT',
      body: { role },
    }),
  removeMember: (project: string, username: string) =>
    apiFetch<void>(`${base(project)}/members/${encodeURIComponent(username)}`, { method: 'DELETE' }),
  setVisibility: (project: string, visibility: Visibility) =>
    apiFetch<{ visibility: Visibility }>(`${base(project)}/visibility`, {
      method: 'PUT',
      body: { visibility },
    }),
};
