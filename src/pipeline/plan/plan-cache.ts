import type { CacheConfig, CacheEntryConfig } from '../config/schema-cache.js';

/**
 * One `cache:` entry of a job as the runtime needs it. Keys stay templates: variables are
 * expanded and lock files hashed when the job runs (the files only exist in the workspace).
 */
export interface PlanCache {
  key: PlanCacheKey;
  /** As written: workspace-relative, absolute, or `~/…`; resolved by the runtime. */
  paths: string[];
  policy: 'pull-push' | 'pull' | 'push';
  /** Key templates tried in order when `key` has no cache yet. */
  fallbackKeys: string[];
  when: 'on_success' | 'always';
}

export type PlanCacheKey =
  | { kind: 'text'; template: string }
  | { kind: 'files'; files: string[]; prefix: string | null };

export const DEFAULT_CACHE_KEY = 'default';

export function compileCaches(config: CacheConfig): PlanCache[] {
  return (Array.isArray(config) ? config : [config]).map(compileCache);
}

function compileCache(entry: CacheEntryConfig): PlanCache {
  const key = entry.key ?? DEFAULT_CACHE_KEY;
  return {
    key:
      typeof key === 'string'
        ? { kind: 'text', template: key }
        : { kind: 'files', files: key.files, prefix: key.prefix ?? null },
    paths: entry.paths,
    policy: entry.policy ?? 'pull-push',
    fallbackKeys: entry.fallback_keys ?? [],
    when: entry.when ?? 'on_success',
  };
}
