/**
 * From a plan job's `cache:` entries to what the backend mounts: keys with their variables
 * expanded, paths made absolute, and who may write. Untrusted runs (fork pull requests) read
 * caches but never write one, whatever the policy says: a cache is executable code the next
 * trusted run would pick up.
 */

import { posix } from 'node:path';
import type { JobCacheSpec } from '../backends/cache-spec.js';
import { expandVariables } from '../domain/expand-variables.js';
import type { PlanJob } from '../pipeline/plan/plan.js';

export interface CacheScope {
  /** The project: caches are namespaced by it. */
  namespace: string;
  trusted: boolean;
  workspacePath: string;
}

export type ResolvedCaches = { ok: true; caches: JobCacheSpec[] } | { ok: false; message: string };

/**
 * `env` is what key templates may use: the job's variables and the standard ones, never
 * secrets (keys are printed in the log and kept in volume labels).
 */
export function resolveJobCaches(
  job: PlanJob,
  env: Record<string, string>,
  scope: CacheScope,
): ResolvedCaches {
  const caches: JobCacheSpec[] = [];
  const seen = new Map<string, number>();
  for (const [index, cache] of (job.caches ?? []).entries()) {
    const where = `job "${job.name}", cache ${index + 1}`;
    const paths: string[] = [];
    for (const written of cache.paths) {
      const path = absolutePath(written, env, scope.workspacePath);
      if (path === scope.workspacePath || scope.workspacePath.startsWith(`${path}/`) || path === '/') {
        return {
          ok: false,
          message: `${where}: path ${written} would hide the workspace; name a directory in it`,
        };
      }
      const other = seen.get(path);
      if (other !== undefined) {
        return { ok: false, message: `${where}: path ${written} is already kept by cache ${other + 1}` };
      }
      seen.set(path, index);
      paths.push(path);
    }
    const key =
      cache.key.kind === 'text'
        ? { kind: 'text' as const, text: expandVariables(cache.key.template, env).trim() }
        : {
            kind: 'files' as const,
            files: cache.key.files,
            prefix: cache.key.prefix === null ? null : expandVariables(cache.key.prefix, env).trim() || null,
          };
    if (key.kind === 'text' && key.text === '') {
      return {
        ok: false,
        message: `${where}: key "${cache.key.kind === 'text' ? cache.key.template : ''}" is empty once its variables are expanded`,
      };
    }
    const untrusted = !scope.trusted && cache.policy !== 'pull';
    caches.push({
      namespace: scope.namespace,
      key,
      fallbackKeys: cache.fallbackKeys.map((k) => expandVariables(k, env).trim()).filter((k) => k !== ''),
      paths,
      restore: cache.policy !== 'push',
      save: cache.policy === 'pull' || !scope.trusted ? 'never' : cache.when,
      noSaveReason: untrusted ? 'untrusted runs read caches but never write them' : null,
    });
  }
  return { ok: true, caches };
}

/** `node_modules` → in the workspace; `~/.npm` → under the job's HOME (root's by default). */
function absolutePath(written: string, env: Record<string, string>, workspacePath: string): string {
  const trimmed = written.replace(/\/+$/, '') || written;
  if (trimmed === '~' || trimmed.startsWith('~/')) {
    return posix.normalize(posix.join(env.HOME || '/root', trimmed.slice(1)));
  }
  if (trimmed.startsWith('/')) return posix.normalize(trimmed);
  return posix.normalize(posix.join(workspacePath, trimmed));
}
