/** Instance administration: agents (agent-admin-routes.ts) and the audit log (audit-routes.ts). */
import type { AgentJson } from '../../../src/api/accounts.js';
import type { AuditJson } from '../../../src/api/audit.js';

export type { AgentJson };

import { apiFetch } from './http.js';

/** The server's audit entry (src/api/audit.ts), type-only. */
export type { AuditJson as AuditEntryJson };

export const admin = {
  agents: () => apiFetch<AgentJson[]>('/api/agents'),
  createAgent: (name: string) =>
    apiFetch<{ id: string; name: string; token: string }>('/api/agents', { method: 'POST', body: { name } }),
  revokeAgent: (id: string) => apiFetch<void>(`/api/agents/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  audit: (filter: { actor?: string; action?: string; before?: number }) => {
    const q = new URLSearchParams({ limit: '100' });
    if (filter.actor) q.set('actor', filter.actor);
    if (filter.action) q.set('action', filter.action);
    if (filter.before) q.set('before', String(filter.before));
    return apiFetch<{ entries: AuditJson[] }>(`/api/audit?${q}`);
  },
};
