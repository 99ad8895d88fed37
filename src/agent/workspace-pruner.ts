/**
 * Kept workspaces (see execute-lease.ts) are removed once older than the retention, checked at
 * start and then periodically. Workspaces of runs this agent is running are never touched.
 */
import type { Backend } from '../backends/backend.js';

export interface PrunerOptions {
  backend: Backend;
  retentionMs: number;
  inUse: () => ReadonlySet<string>;
  log: (message: string) => void;
  /** Default: a quarter of the retention, at most hourly. */
  everyMs?: number;
}

/** Starts pruning; returns a function that stops it and waits for a pass under way. */
export function startWorkspacePruner(opts: PrunerOptions): () => Promise<void> {
  let running: Promise<void> = Promise.resolve();
  const pass = () => {
    running = running.then(async () => {
      try {
        const removed = await opts.backend.pruneWorkspaces(Date.now() - opts.retentionMs, opts.inUse());
        if (removed.length > 0)
          opts.log(`removed ${removed.length} kept workspace(s) older than the retention`);
      } catch (error) {
        opts.log(`pruning kept workspaces failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
  };
  pass();
  const timer = setInterval(pass, opts.everyMs ?? Math.min(3_600_000, Math.max(1000, opts.retentionMs / 4)));
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
