import type { Forge } from '../store/tables.js';

/** Where a run stands, in Slipway's words; each forge has its own vocabulary (below). */
export type CommitState = 'pending' | 'running' | 'success' | 'failure' | 'error' | 'canceled';

/** What one status update says. */
export interface CommitStatus {
  state: CommitState;
  /** `slipway/<project>`: one line per project on the forge, updated in place. */
  context: string;
  targetUrl: string;
  description: string;
}

export interface ForgeRepo {
  /** API base: `https://api.github.com`, `https://git.example.com/api/v1`, `…/api/v4`. */
  apiBase: string;
  /** `owner/repo` (GitLab: the full project path, groups included). */
  path: string;
}

/** Forges with a commit status API. Gitee's documented API (v5) has none, so it is not offered. */
export function offersCommitStatus(forge: Forge | null): forge is 'github' | 'gitea' | 'gitlab' {
  return forge === 'github' || forge === 'gitea' || forge === 'gitlab';
}

/**
 * The forge API base and repository path from the project's remote URL: GitHub.com's API lives
 * on api.github.com, GitHub Enterprise under /api/v3, Gitea (also below a sub-path) under
 * /api/v1, GitLab under /api/v4. `apiOverride` (project setting) replaces the derived base —
 * self-hosted setups behind another address, and tests against loopback.
 */
export function forgeRepo(
  forge: 'github' | 'gitea' | 'gitlab',
  remoteUrl: string,
  apiOverride: string | null,
): ForgeRepo | null {
  let url: URL;
  try {
    url = new URL(remoteUrl);
  } catch {
    return null;
  }
  const segments = url.pathname
    .replace(/\.git\/?$/, '')
    .split('/')
    .filter(Boolean);
  if (segments.length < 2) return null;
  const origin = `${url.protocol}//${url.host}`;
  if (forge === 'gitlab') {
    return { apiBase: trim(apiOverride ?? `${origin}/api/v4`), path: segments.join('/') };
  }
  const path = segments.slice(-2).join('/');
  const prefix = segments.slice(0, -2).join('/');
  const below = prefix ? `/${prefix}` : '';
  const derived =
    forge === 'github'
      ? url.host === 'github.com'
        ? 'https://api.github.com'
        : `${origin}${below}/api/v3`
      : `${origin}${below}/api/v1`;
  return { apiBase: trim(apiOverride ?? derived), path };
}

function trim(base: string): string {
  return base.replace(/\/+$/, '');
}

/**
 * The documented request of each forge's "create a commit status" endpoint:
 * - GitHub `POST /repos/{owner}/{repo}/statuses/{sha}`, `Authorization: Bearer`, states
 *   pending/success/failure/error (running → pending, canceled → error);
 * - Gitea `POST /repos/{owner}/{repo}/statuses/{sha}`, `Authorization: token …`, states
 *   pending/success/error/failure/warning (running → pending, canceled → error);
 * - GitLab `POST /projects/{url-encoded path}/statuses/{sha}`, `PRIVATE-TOKEN`, states
 *   pending/running/success/failed/canceled with `name` as the context (error → failed).
 */
export function forgeStatusRequest(
  forge: 'github' | 'gitea' | 'gitlab',
  repo: ForgeRepo,
  sha: string,
  status: CommitStatus,
  token: string,
): { url: string; headers: Record<string, string>; body: string } {
  const json = { 'content-type': 'application/json', accept: 'application/json' };
  const description = status.description.slice(0, 140);
  if (forge === 'gitlab') {
    const state = {
      pending: 'pending',
      running: 'running',
      success: 'success',
      failure: 'failed',
      error: 'failed',
      canceled: 'canceled',
    }[status.state];
    return {
      url: `${repo.apiBase}/projects/${encodeURIComponent(repo.path)}/statuses/${sha}`,
      headers: { ...json, 'private-token': token },
      body: JSON.stringify({ state, name: status.context, target_url: status.targetUrl, description }),
    };
  }
  const state = {
    pending: 'pending',
    running: 'pending',
    success: 'success',
    failure: 'failure',
    error: 'error',
    canceled: 'error',
  }[status.state];
  const headers =
    forge === 'github'
      ? {
          ...json,
          accept: 'application/vnd.github+json',
          authorization: `Bearer ${token}`,
          'x-github-api-version': '2022-11-28',
        }
      : { ...json, authorization: `token ${token}` };
  return {
    url: `${repo.apiBase}/repos/${repo.path}/statuses/${sha}`,
    headers,
    body: JSON.stringify({ state, target_url: status.targetUrl, description, context: status.context }),
  };
}
