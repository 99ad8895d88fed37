import type { Readable } from 'node:stream';

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
  /**
   * The server's cache store (through the agent's transport): consulted on a local miss, and
   * given a copy of every cache this agent saves. Absent: caches stay on this agent.
   */
  remote?: CacheRemote;
}

/** A cache as the server's store names it: key and the directories its archive holds. */
export interface RemoteCacheRef {
  key: string;
  paths: string[];
}

/** Archives are tars with one top-level directory per path: `0/…`, `1/…`. */
export interface CacheRemote {
  download(ref: RemoteCacheRef): Promise<{ size: number; tar: Readable } | null>;
  upload(ref: RemoteCacheRef, tar: Readable): Promise<void>;
}
