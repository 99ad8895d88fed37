import { apiFetch } from './http.js';
import type {
  CreatedProject,
  JobJson,
  Me,
  PipelineAtRef,
  ProjectJson,
  ProjectListItem,
  RefList,
  RunDetail,
  RunPage,
  RunSummary,
  Schedule,
  SecretInfo,
  Status,
  TokenInfo,
} from './types.js';

/** One typed function per route the UI calls; paths are built here, names encoded once. */
const p = (project: string) => `/api/projects/${encodeURIComponent(project)}`;
const run = (project: string, n: number) => `${p(project)}/runs/${n}`;

function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const api = {
  me: () => apiFetch<Me>('/api/me'),
  signIn: (username: string, password: string) =>
    apiFetch<Me>('/api/session', { method: 'POST', body: { username, password } }),
  signOut: () => apiFetch<void>('/api/session', { method: 'DELETE' }),

  projects: () => apiFetch<ProjectListItem[]>('/api/projects'),
  project: (name: string) => apiFetch<ProjectJson>(p(name)),
  createProject: (body: {
    name: string;
    source:
      | { kind: 'builtin' }
      | { kind: 'remote'; url: string; forge: 'github' | 'gitea' | 'gitlab' | 'gitee' };
    defaultBranch?: string;
  }) => apiFetch<CreatedProject>('/api/projects', { method: 'POST', body }),
  updateProject: (
    name: string,
    body: {
      defaultBranch?: string;
      concurrencyLimit?: number;
      trusted?: boolean;
      publicBadge?: boolean;
      autoCancelSuperseded?: boolean;
    },
  ) => apiFetch<ProjectJson>(p(name), { method: 'PATCH', body }),
  deleteProject: (name: string) => apiFetch<void>(p(name), { method: 'DELETE' }),
  rotateWebhookSecret: (name: string) =>
    apiFetch<{ webhookSecret: string }>(`${p(name)}/webhook-secret`, { method: 'POST' }),

  runs: (project: string, f: { branch?: string; status?: Status | ''; before?: number; limit?: number }) =>
    apiFetch<RunPage>(`${p(project)}/runs${query(f)}`),
  run: (project: string, n: number) => apiFetch<RunDetail>(run(project, n)),
  startRun: (project: string, body: { branch?: string; tag?: string; variables?: Record<string, string> }) =>
    apiFetch<RunSummary>(`${p(project)}/runs`, { method: 'POST', body }),
  cancelRun: (project: string, n: number) =>
    apiFetch<RunSummary>(`${run(project, n)}/cancel`, { method: 'POST' }),
  rerun: (project: string, n: number, failedOnly: boolean) =>
    apiFetch<RunSummary>(`${run(project, n)}/rerun`, { method: 'POST', body: { failedOnly } }),
  playJob: (project: string, n: number, job: string) =>
    apiFetch<JobJson>(`${run(project, n)}/jobs/${encodeURIComponent(job)}/play`, { method: 'POST' }),

  refs: (project: string, q?: string) => apiFetch<RefList>(`${p(project)}/refs${query({ q })}`),
  pipeline: (project: string, ref?: string) =>
    apiFetch<PipelineAtRef>(`${p(project)}/pipeline${query({ ref })}`),

  secrets: (project: string) => apiFetch<SecretInfo[]>(`${p(project)}/secrets`),
  setSecret: (project: string, name: string, value: string) =>
    apiFetch<SecretInfo>(`${p(project)}/secrets/${encodeURIComponent(name)}`, {
      method: 'PUT',
      body: { value },
    }),
  deleteSecret: (project: string, name: string) =>
    apiFetch<void>(`${p(project)}/secrets/${encodeURIComponent(name)}`, { method: 'DELETE' }),

  schedules: (project: string) => apiFetch<Schedule[]>(`${p(project)}/schedules`),
  addSchedule: (project: string, branch: string, cron: string) =>
    apiFetch<Schedule>(`${p(project)}/schedules`, { method: 'POST', body: { branch, cron } }),
  deleteSchedule: (project: string, id: string) =>
    apiFetch<void>(`${p(project)}/schedules/${encodeURIComponent(id)}`, { method: 'DELETE' }),

  tokens: () => apiFetch<TokenInfo[]>('/api/tokens'),
  createToken: (name: string) =>
    apiFetch<{ id: string; name: string; token: string }>('/api/tokens', { method: 'POST', body: { name } }),
  revokeToken: (id: string) => apiFetch<void>(`/api/tokens/${encodeURIComponent(id)}`, { method: 'DELETE' }),
};

export function projectEventsUrl(project: string): string {
  return `${p(project)}/events`;
}
