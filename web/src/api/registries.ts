/** Registry credentials, global (admin) and per project (maintainer): registry-routes.ts. */
import { apiFetch } from './http.js';

export interface RegistryJson {
  id: string;
  scope: 'global' | 'project';
  project: string | null;
  host: string;
  username: string;
  hasPassword: true;
  createdAt: number;
  createdBy: string;
}

export interface RegistryCheckJson {
  result: 'ok' | 'unauthorized' | 'unreachable' | 'refused';
  message: string;
}

export interface RegistryInput {
  host: string;
  username: string;
  password: string;
}

/** Where a registry list lives: the instance (`null`) or one project. */
function base(project: string | null): string {
  return project === null ? '/api/registries' : `/api/projects/${encodeURIComponent(project)}/registries`;
}

export const registries = {
  list: (project: string | null) => apiFetch<RegistryJson[]>(base(project)),
  add: (project: string | null, input: RegistryInput) =>
    apiFetch<RegistryJson>(base(project), { method: 'POST', body: input }),
  remove: (project: string | null, id: string) =>
    apiFetch<void>(`${base(project)}/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  check: (project: string | null, id: string) =>
    apiFetch<RegistryCheckJson>(`${base(project)}/${encodeURIComponent(id)}/check`, { method: 'POST' }),
};
