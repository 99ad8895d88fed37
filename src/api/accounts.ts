import { z } from 'zod';
import { VISIBILITY } from './projects.js';

/**
 * Who may do what: users and invitation links (user-routes.ts, invite-routes.ts), a project's
 * members (member-routes.ts) and the agents (agent-admin-routes.ts) — the answers the admin and
 * settings pages read.
 */
export const INSTANCE_ROLE = z.enum(['admin', 'maintainer', 'viewer']);
export type InstanceRole = z.infer<typeof INSTANCE_ROLE>;
export const PROJECT_ROLE = z.enum(['viewer', 'developer', 'maintainer']);
export type ProjectRole = z.infer<typeof PROJECT_ROLE>;

export const userJsonSchema = z.object({
  username: z.string(),
  role: INSTANCE_ROLE,
  createdAt: z.number(),
  disabled: z.boolean(),
  mustChangePassword: z.boolean(),
});
export type UserJson = z.infer<typeof userJsonSchema>;

export const inviteJsonSchema = z.object({
  id: z.string(),
  role: INSTANCE_ROLE,
  createdBy: z.string(),
  createdAt: z.number(),
  expiresAt: z.number(),
  usedAt: z.number().nullable(),
  usedBy: z.string().nullable(),
});
export type InviteJson = z.infer<typeof inviteJsonSchema>;

/** POST /api/invites answer: the link is shown once. */
export const createdInviteSchema = inviteJsonSchema.extend({
  token: z.string(),
  path: z.string(),
  url: z.string().nullable(),
});
export type CreatedInvite = z.infer<typeof createdInviteSchema>;

export const membersJsonSchema = z.object({
  visibility: VISIBILITY,
  /** Whether `public` may be chosen on this server (SLIPWAY_ALLOW_PUBLIC_PROJECTS). */
  publicAllowed: z.boolean(),
  /** The caller's own effective role in the project (what the UI offers follows it). */
  myRole: PROJECT_ROLE,
  members: z.array(
    z.object({
      username: z.string(),
      role: PROJECT_ROLE,
      instanceRole: INSTANCE_ROLE,
      addedAt: z.number(),
    }),
  ),
});
export type MembersJson = z.infer<typeof membersJsonSchema>;

export const agentJsonSchema = z.object({
  id: z.string(),
  name: z.string(),
  embedded: z.boolean(),
  /** What the agent declared on its last lease request (`--label`, plus its host's os and arch). */
  labels: z.record(z.string(), z.string()),
  version: z.string().nullable(),
  capacity: z.number().nullable(),
  createdAt: z.number(),
  lastSeenAt: z.number().nullable(),
  leases: z.array(
    z.object({
      leaseId: z.string(),
      runId: z.string(),
      projectId: z.string(),
      leasedAt: z.number(),
      heartbeatAt: z.number(),
    }),
  ),
});
export type AgentJson = z.infer<typeof agentJsonSchema>;
