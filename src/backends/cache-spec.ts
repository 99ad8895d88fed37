/**
 * What a backend needs to give a job its caches (`cache:` in .slipway.yml, resolved by the
 * runtime: variables expanded, paths absolute, permissions decided). Lock files are hashed by
 * the backend, because only it can read the workspace.
 */
export interface JobCacheSpec {
  /** Whose caches these are (the project): caches of another namespace are never seen. */
  namespace: string;
  key: { kind: 'text'; text: string } | { kind: 'files'; files: string[]; prefix: string | null };
  /** Keys to restore from, in order, when `key` has no cache yet. */
  fallbackKeys: string[];
  /** Absolute paths in the job's container. */
  paths: string[];
  /** false for `policy: push`. */
  restore: boolean;
  /** When to save; `never` for `policy: pull` and for untrusted runs. */
  save: 'never' | 'on_success' | 'always';
  /** Why saving is off, for the log (an untrusted run); null when it is the policy. */
  noSaveReason: string | null;
}
