/** Account administration: users, invitation links, one's own password (account-routes.ts, user-routes.ts, invite-routes.ts). */
import type { CreatedInvite, InviteJson, UserJson } from '../../../src/api/accounts.js';
import { apiFetch } from './http.js';

export type { InviteJson, UserJson };

import type { Me } from './types.js';

export type Role = Me['user']['role'];
export const ROLES: Role[] = ['viewer', 'maintainer', 'admin'];

export const accounts = {
  users: () => apiFetch<UserJson[]>('/api/users'),
  createUser: (body: { username: string; password: string; role: Role; mustChangePassword: boolean }) =>
    apiFetch<UserJson>('/api/users', { method: 'POST', body }),
  updateUser: (
    username: string,
    body: { role?: Role; password?: string; disabled?: boolean; mustChangePassword?: boolean },
  ) => apiFetch<UserJson>(`/api/users/${encodeURIComponent(username)}`, { method: 'PATCH', body }),
  deleteUser: (username: string) =>
    apiFetch<void>(`/api/users/${encodeURIComponent(username)}`, { method: 'DELETE' }),
  invites: () => apiFetch<InviteJson[]>('/api/invites'),
  createInvite: (role: Role) =>
    apiFetch<CreatedInvite>('/api/invites', {
      method: 'POST',
      body: { role },
    }),
  revokeInvite: (id: string) => apiFetch<void>(`/api/invites/${id}`, { method: 'DELETE' }),
  acceptInvite: (token: string, username: string, password: string) =>
    apiFetch<Me>(`/api/invites/${encodeURIComponent(token)}/accept`, {
      method: 'POST',
      body: { username, password },
    }),
  changePassword: (currentPassword: string, newPassword: string) =>
    apiFetch<{ ok: true }>('/api/me/password', { method: 'PUT', body: { currentPassword, newPassword } }),
};
