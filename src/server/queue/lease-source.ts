/**
 * What `source.tar` answers for a lease: the run's commit of the lease's project, as a git
 * checkout (`clone:`, the default) or as the plain tree (`clone: false`, release runs). Which
 * project, commit, branch and depth come from the rows the server holds for the lease — the
 * agent's request names nothing but the lease — so a lease reads its own run's history only.
 */
import type { Readable } from 'node:stream';
import type { Plan } from '../../pipeline/plan/plan.js';
import { planClone } from '../../pipeline/plan/plan-clone.js';
import { parseRemoteUrl } from '../git/remote-url.js';
import type { SourceService } from '../services.js';
import type { ProjectRow } from '../store/tables.js';

export interface LeaseRun {
  sha: string;
  ref_kind: string;
  ref_name: string;
  plan: string | null;
}

export function leaseSource(
  sources: SourceService,
  project: ProjectRow,
  run: LeaseRun,
  publicUrl: string | null,
): Promise<Readable> {
  const plan = run.plan ? (JSON.parse(run.plan) as Plan) : null;
  const clone = plan ? planClone(plan) : false;
  if (clone === false || !sources.checkout) return sources.archive(project, run.sha);
  return sources.checkout(project, run.sha, {
    depth: clone.depth,
    tags: clone.tags,
    // A pull request's head is not a branch of this repository: its HEAD is detached.
    branch: run.ref_kind === 'branch' ? run.ref_name : null,
    tag: run.ref_kind === 'tag' ? run.ref_name : null,
    remoteUrl: originUrl(project, publicUrl),
  });
}

/**
 * `origin` as a user would clone it — without any credential: the built-in repository at the
 * server's public URL, or a remote project's URL stripped of its user and password. None when
 * neither is known (then the checkout simply has no remote).
 */
function originUrl(project: ProjectRow, publicUrl: string | null): string | null {
  if (project.source_kind === 'builtin') {
    return publicUrl ? `${publicUrl}/git/${encodeURIComponent(project.name)}.git` : null;
  }
  if (!project.remote_url) return null;
  try {
    const location = parseRemoteUrl(project.remote_url);
    return location.kind === 'http' ? location.url.href : null;
  } catch {
    return null;
  }
}
