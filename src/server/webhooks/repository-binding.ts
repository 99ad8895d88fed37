import type { Kysely } from 'kysely';
import type { Database, Forge, ProjectRow } from '../store/tables.js';

/**
 * A webhook is bound to the repository it is about. The signature only proves the sender knows
 * the project's secret; the payload must also be about the repository the project mirrors,
 * otherwise a delivery naming repository B (signed with project A's secret, e.g. a hook shared
 * between repositories of one organisation) would start a run in A — and a commit of B that is
 * reachable in A's mirror (a fork's pull request ref) would be built as a trusted push.
 *
 * The rule: the payload must name its repository (GitHub/Gitea `repository`, GitLab `project`).
 *   - When the forge's repository id is pinned for the project's current remote, the id decides
 *     (a renamed repository keeps its id).
 *   - Otherwise one of the payload's clone/web URLs must equal the project's remote, compared
 *     normalised (scheme, credentials, port, case, trailing `.git` and `/` ignored); the id is then
 *     pinned, so later deliveries are matched by id.
 * Built-in projects have no remote and take no webhooks at all (the route refuses them before
 * this point): their pushes arrive through the built-in git server.
 */

export interface ForgeRepository {
  /** The forge's own id of the repository (stable across renames), when the payload has one. */
  id: string | null;
  /** Clone and web URLs the payload gives for it. */
  urls: string[];
}

export type Binding = { ok: true } | { ok: false; reason: string };

/**
 * `https://user:tok@GitHub.com:443/Org/Repo.git/` and `git@github.com:org/repo` both become
 * `github.com/org/repo`; a local path stays a path. null when it is no URL at all.
 */
export function normaliseRepositoryUrl(text: string): string | null {
  const trimmed = text.trim();
  if (trimmed.length === 0 || trimmed.length > 2048) return null;
  let host: string;
  let path: string;
  const scp = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/)(.+)$/.exec(trimmed);
  if (trimmed.startsWith('/')) {
    host = '';
    path = trimmed;
  } else if (scp && !trimmed.includes('://')) {
    host = scp[1]!;
    path = scp[2]!;
  } else {
    let url: URL;
    try {
      url = new URL(trimmed);
    } catch {
      return null;
    }
    host = url.hostname;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      path = url.pathname;
    }
  }
  const cleanPath = path
    .replace(/\/+$/, '')
    .replace(/\.git$/i, '')
    .replace(/\/+$/, '')
    .replace(/^\/+/, '');
  if (cleanPath.length === 0) return null;
  return `${host}/${cleanPath}`.toLowerCase();
}

/** Whether the payload's repository is the project's; pins the forge's id the first time. */
export async function bindDelivery(
  db: Kysely<Database>,
  project: ProjectRow,
  forge: Forge,
  repository: ForgeRepository | null,
): Promise<Binding> {
  if (!repository) return { ok: false, reason: 'the payload does not name its repository' };
  const remote = project.remote_url ?? '';
  const pinned =
    project.webhook_repository_id && project.webhook_repository_remote === remote
      ? project.webhook_repository_id
      : null;
  const id = repository.id === null ? null : `${forge}:${repository.id}`;
  if (pinned !== null) {
    if (id === pinned) return { ok: true };
    return {
      ok: false,
      reason: `the delivery is about another repository (${id ?? 'no id'}) than the one this project's webhook is bound to`,
    };
  }
  const wanted = normaliseRepositoryUrl(remote);
  const matches = wanted !== null && repository.urls.some((url) => normaliseRepositoryUrl(url) === wanted);
  if (!matches) {
    return { ok: false, reason: "the delivery is about another repository than the project's remote URL" };
  }
  if (id !== null) {
    // Conditional, so two first deliveries at once pin one value; a lost race is no error.
    await db
      .updateTable('projects')
      .set({ webhook_repository_id: id, webhook_repository_remote: remote })
      .where('id', '=', project.id)
      .where((eb) =>
        eb.or([
          eb('webhook_repository_id', 'is', null),
          eb('webhook_repository_remote', 'is', null),
          eb('webhook_repository_remote', '!=', remote),
        ]),
      )
      .execute();
  }
  return { ok: true };
}

/** The strings among `values` (payload fields of any type), for the URL list. */
export function urlsOf(...values: unknown[]): string[] {
  return values.filter((v): v is string => typeof v === 'string' && v.length > 0);
}
