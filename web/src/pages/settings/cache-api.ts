/** The project's caches in the server's cache store (kept here, not in api/client.ts: one area, one file). */
import { apiFetch } from '../../api/http.js';

export interface ServerCacheJson {
  key: string;
  paths: string[];
  size: number;
  createdAt: number;
  lastUsedAt: number;
  where: 'server';
}

export interface ServerCachesJson {
  caches: ServerCacheJson[];
  limits: { maxBytes: number; totalBytes: number; maxAgeMs: number };
}

const base = (project: string) => `/api/projects/${encodeURIComponent(project)}/caches`;

export const cacheApi = {
  list: (project: string) => apiFetch<ServerCachesJson>(base(project)),
  clear: (project: string) => apiFetch<{ removed: number }>(base(project), { method: 'DELETE' }),
  clearKey: (project: string, key: string) =>
    apiFetch<{ removed: number }>(`${base(project)}/${encodeURIComponent(key)}`, { method: 'DELETE' }),
};
