import { isAbsolute, relative, resolve } from 'node:path';
import type { ProjectRow } from '../store/tables.js';

/**
 * Where a project's git data lives. Paths are built from the project's id (never its name or
 * anything else a user typed into a URL), and every result is resolved and checked to stay
 * inside its root — a second line of defence should an id ever come from outside.
 *   built-in: <dataDir>/repos/<id>.git     remote mirror: <dataDir>/mirrors/<id>.git
 */

/** Ids are UUIDs today; this admits any plain token and nothing path-like (`/`, `.`, `..`). */
const ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

export class RepoPathError extends Error {}

export function reposRoot(dataDir: string): string {
  return resolve(dataDir, 'repos');
}

export function mirrorsRoot(dataDir: string): string {
  return resolve(dataDir, 'mirrors');
}

/** The root that holds this project's repository (built-in repos vs mirrors). */
export function rootFor(dataDir: string, project: Pick<ProjectRow, 'source_kind'>): string {
  return project.source_kind === 'builtin' ? reposRoot(dataDir) : mirrorsRoot(dataDir);
}

/** `<id>.git` — the name of the repository directory under its root. */
export function repoDirName(projectId: string): string {
  if (!ID.test(projectId)) throw new RepoPathError('invalid project id for a repository path');
  return `${projectId}.git`;
}

export function repoPath(dataDir: string, project: Pick<ProjectRow, 'id' | 'source_kind'>): string {
  const root = rootFor(dataDir, project);
  return contained(root, repoDirName(project.id));
}

/** `root/child`, refused unless it is strictly inside root. */
export function contained(root: string, child: string): string {
  const full = resolve(root, child);
  const rel = relative(root, full);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new RepoPathError('repository path escapes its root');
  }
  return full;
}
