/** Rows of per-project access (migration 025): visibility lives on `projects`, members here. */

/** Who reads a project without being a member: nobody, every signed-in user, or everyone. */
export type Visibility = 'private' | 'internal' | 'public';
export const VISIBILITIES: readonly Visibility[] = ['private', 'internal', 'public'];

/** What a member may do in one project; ranked viewer < developer < maintainer. */
export type ProjectRole = 'viewer' | 'developer' | 'maintainer';
export const PROJECT_ROLES: readonly ProjectRole[] = ['viewer', 'developer', 'maintainer'];

export interface ProjectMemberRow {
  project_id: string;
  user_id: string;
  role: ProjectRole;
  created_at: number;
}

export interface AccessTables {
  project_members: ProjectMemberRow;
}
