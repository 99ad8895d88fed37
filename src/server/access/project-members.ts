import type { Kysely } from 'kysely';
import { writeAudit } from '../deploys/audit-log.js';
import { AppError } from '../errors.js';
import type { Database, ProjectRow, Role } from '../store/tables.js';
import type { ProjectRole, Visibility } from '../store/tables-access.js';
import { isUniqueViolation } from '../store/unique-violation.js';

export interface MemberJson {
  username: string;
  role: ProjectRole;
  /** The member's instance role (an instance admin is maintainer of every project anyway). */
  instanceRole: Role;
  addedAt: number;
}

interface Deps {
  db: Kysely<Database>;
  now: () => number;
}

export async function listMembers(db: Kysely<Database>, projectId: string): Promise<MemberJson[]> {
  const rows = await db
    .selectFrom('project_members')
    .innerJoin('users', 'users.id', 'project_members.user_id')
    .select([
      'users.username as username',
      'users.role as instanceRole',
      'project_members.role as role',
      'project_members.created_at as addedAt',
    ])
    .where('project_members.project_id', '=', projectId)
    .orderBy('users.username')
    .execute();
  return rows.map((r) => ({
    username: r.username,
    role: r.role,
    instanceRole: r.instanceRole,
    addedAt: r.addedAt,
  }));
}

/**
 * Adds `username` to the project with `role`, or changes the role of a member; audited in the
 * same transaction. Returns whether the member is new.
 */
export async function putMember(
  deps: Deps,
  project: ProjectRow,
  username: string,
  role: ProjectRole,
  actor: string,
): Promise<{ created: boolean }> {
  return deps.db.transaction().execute(async (tx) => {
    const user = await tx
      .selectFrom('users')
      .select('id')
      .where('username', '=', username)
      .executeTakeFirst();
    if (!user) {
      throw new AppError(
        'invalid',
        `params.username: there is no user "${username}"`,
        'params.username',
        'unknown_user',
        { username },
      );
    }
    const now = deps.now();
    const existing = await tx
      .selectFrom('project_members')
      .select('role')
      .where('project_id', '=', project.id)
      .where('user_id', '=', user.id)
      .executeTakeFirst();
    if (existing) {
      if (existing.role === role) return { created: false };
      await tx
        .updateTable('project_members')
        .set({ role })
        .where('project_id', '=', project.id)
        .where('user_id', '=', user.id)
        .execute();
    } else {
      try {
        await tx
          .insertInto('project_members')
          .values({ project_id: project.id, user_id: user.id, role, created_at: now })
          .execute();
      } catch (error) {
        // Two requests adding the same member at once: the other one won; say so plainly.
        if (isUniqueViolation(error))
          throw new AppError('conflict', `user "${username}" was just added by someone else`);
        throw error;
      }
    }
    await writeAudit(tx, now, {
      actor,
      action: existing ? 'member.update' : 'member.add',
      projectId: project.id,
      target: username,
      detail: existing ? { role, previousRole: existing.role } : { role },
    });
    return { created: !existing };
  });
}

/** Removes a member; false when `username` was not one. */
export async function removeMember(
  deps: Deps,
  project: ProjectRow,
  username: string,
  actor: string,
): Promise<boolean> {
  return deps.db.transaction().execute(async (tx) => {
    const user = await tx
      .selectFrom('users')
      .select('id')
      .where('username', '=', username)
      .executeTakeFirst();
    if (!user) return false;
    const removed = await tx
      .deleteFrom('project_members')
      .where('project_id', '=', project.id)
      .where('user_id', '=', user.id)
      .returning('role')
      .executeTakeFirst();
    if (!removed) return false;
    await writeAudit(tx, deps.now(), {
      actor,
      action: 'member.remove',
      projectId: project.id,
      target: username,
      detail: { role: removed.role },
    });
    return true;
  });
}

/** A clear 400 when public projects are not allowed on this server. */
export function refusePublicUnlessAllowed(
  visibility: Visibility | undefined,
  allowPublic: boolean,
  where: string,
): void {
  if (visibility === 'public' && !allowPublic) {
    throw new AppError(
      'invalid',
      `${where}: public projects are turned off on this server (an admin sets SLIPWAY_ALLOW_PUBLIC_PROJECTS=true)`,
      where,
      'public_projects_disabled',
    );
  }
}

/** Changes the visibility (audited); the project as it is afterwards. */
export async function setVisibility(
  deps: Deps,
  project: ProjectRow,
  visibility: Visibility,
  actor: string,
): Promise<ProjectRow> {
  const previous = project.visibility ?? 'internal';
  if (previous === visibility) return project;
  await deps.db.transaction().execute(async (tx) => {
    await tx.updateTable('projects').set({ visibility }).where('id', '=', project.id).execute();
    await writeAudit(tx, deps.now(), {
      actor,
      action: 'project.visibility',
      projectId: project.id,
      target: project.name,
      detail: { visibility, previous },
    });
  });
  return { ...project, visibility };
}
