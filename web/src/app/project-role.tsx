/**
 * What the signed-in user may do in the project on screen. Per-project access (issue #14) means
 * the instance role is not the answer: a viewer of the instance can be a developer of one
 * project, and a private project's maintainer need not be an instance maintainer. Project pages
 * provide the role the server computed (`myRole` of GET /api/projects/:p); components ask
 * `useProjectCan()`. Outside a project page it falls back to the instance role.
 */
import { createContext, type ReactNode, useContext } from 'react';
import type { ProjectRole } from '../../../src/api/accounts.js';
import { useAuth } from './auth.js';

export type { ProjectRole };

const RANK: Record<ProjectRole, number> = { viewer: 1, developer: 2, maintainer: 3 };
const ProjectRoleContext = createContext<ProjectRole | null>(null);

export function ProjectRoleProvider({
  role,
  children,
}: {
  role: ProjectRole | null | undefined;
  children: ReactNode;
}) {
  return <ProjectRoleContext.Provider value={role ?? null}>{children}</ProjectRoleContext.Provider>;
}

/** Whether `role` is at least `needed` (null: no role known). */
export function roleAtLeast(role: ProjectRole | null | undefined, needed: ProjectRole): boolean {
  return role != null && RANK[role] >= RANK[needed];
}

/** `canDo('developer')`: start, cancel, rerun, play manual jobs; `canDo('maintainer')`: settings. */
export function useProjectCan(): (needed: ProjectRole) => boolean {
  const role = useContext(ProjectRoleContext);
  const { can } = useAuth();
  if (role === null) return (needed) => (needed === 'viewer' ? can('viewer') : can('maintainer'));
  return (needed) => roleAtLeast(role, needed);
}
