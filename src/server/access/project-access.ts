import type { Kysely } from 'kysely';
import type { Database, Role } from '../store/tables.js';
import type { ProjectRole, Visibility } from '../store/tables-access.js';

/**
 * The one place that decides what a caller may do in a project (issue #14). Every project route
 * goes through the guard (project-guard.ts) that asks here; lists and cross-project aggregates
 * ask `readableProjectIds`; open streams and git over HTTP ask again with the same rules.
 *
 *   - instance admin: maintainer of every project;
 *   - member: the role of their membership;
 *   - internal (and public) project, signed-in non-member: their instance role carried over
 *     (instance maintainer → maintainer, instance viewer → viewer) — what everyone could do
 *     before per-project access, so an upgraded installation (all projects internal) loses nothing;
 *   - public project, anonymous: viewer, only while SLIPWAY_ALLOW_PUBLIC_PROJECTS is on
 *     (turned off later, public projects read as internal);
 *   - private project, non-member: nothing — the caller must not learn that it exists.
 * A membership and the visibility both grant; the higher of the two wins.
 */

/** Who asks: null for an anonymous request. */
export interface Reader {
  userId: string;
  role: Role;
}

export interface AccessPolicy {
  /** SLIPWAY_ALLOW_PUBLIC_PROJECTS. */
  allowPublic: boolean;
}

const RANK: Record<ProjectRole, number> = { viewer: 1, developer: 2, maintainer: 3 };

export function projectRoleAtLeast(role: ProjectRole | null, minimum: ProjectRole): boolean {
  return role !== null && RANK[role] >= RANK[minimum];
}

function higher(a: ProjectRole | null, b: ProjectRole | null): ProjectRole | null {
  if (a === null) return b;
  if (b === null) return a;
  return RANK[a] >= RANK[b] ? a : b;
}

/** The visibility as stored; rows written before migration 025 in tests count as internal. */
export function visibilityOf(project: { visibility?: Visibility | undefined }): Visibility {
  return project.visibility ?? 'internal';
}

/** What visibility alone grants to `reader` (no membership involved). */
export function roleFromVisibility(
  visibility: Visibility,
  reader: Reader | null,
  policy: AccessPolicy,
): ProjectRole | null {
  if (reader?.role === 'admin') return 'maintainer';
  const open = visibility === 'internal' || visibility === 'public';
  if (reader) return open ? (reader.role === 'maintainer' ? 'maintainer' : 'viewer') : null;
  return visibility === 'public' && policy.allowPublic ? 'viewer' : null;
}

/** The effective role of `reader` in `project`, or null when they may not even read it. */
export async function projectRoleOf(
  db: Kysely<Database>,
  reader: Reader | null,
  project: { id: string; visibility?: Visibility | undefined },
  policy: AccessPolicy,
): Promise<ProjectRole | null> {
  const byVisibility = roleFromVisibility(visibilityOf(project), reader, policy);
  if (!reader) return byVisibility;
  const member = await memberRole(db, project.id, reader.userId);
  return higher(byVisibility, member);
}

export async function memberRole(
  db: Kysely<Database>,
  projectId: string,
  userId: string,
): Promise<ProjectRole | null> {
  const row = await db
    .selectFrom('project_members')
    .select('role')
    .where('project_id', '=', projectId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.role ?? null;
}

/**
 * Ids of the projects `reader` may read: what lists and cross-project aggregates (insights) are
 * filtered by. 'all' for admins, so callers can skip the filter.
 */
export async function readableProjectIds(
  db: Kysely<Database>,
  reader: Reader | null,
  policy: AccessPolicy,
): Promise<'all' | Set<string>> {
  if (reader?.role === 'admin') return 'all';
  const open: Visibility[] = reader ? ['internal', 'public'] : policy.allowPublic ? ['public'] : [];
  const ids = new Set<string>();
  if (open.length > 0) {
    const rows = await db.selectFrom('projects').select('id').where('visibility', 'in', open).execute();
    for (const row of rows) ids.add(row.id);
  }
  if (reader) {
    const rows = await db
      .selectFrom('project_members')
      .select('project_id')
      .where('user_id', '=', reader.userId)
      .execute();
    for (const row of rows) ids.add(row.project_id);
  }
  return ids;
}
