/** Registry credentials, global (admin) and per project (maintainer): registry-routes.ts. */
import type {
  RegistryCheckJsonType as RegistryCheckJson,
  RegistryInputJson as RegistryInput,
  RegistryJsonType as RegistryJson,
} from '../../../src/api/images.js';
import { apiFetch } from './http.js';

// The shapes are the server's own (src/api/images.ts), imported type-only.
export type {
  RegistryCheckJsonType as RegistryCheckJson,
  RegistryInputJson as RegistryInput,
  RegistryJsonType as RegistryJson,
} from '../../../src/api/images.js';

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
