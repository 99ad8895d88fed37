/** Rows of the server's cache store (migration 016). */
export interface CacheEntryRow {
  project_id: string;
  key: string;
  /** JSON array of the absolute paths the archive holds, in order (directory `<index>/`). */
  paths: string;
  /** Name of the archive in `<data dir>/caches/`. */
  sha256: string;
  size: number;
  created_at: number;
  last_used_at: number;
}
