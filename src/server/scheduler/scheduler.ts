import type { ServerContext } from '../context.js';

/** STUB — fires cron schedules; returns a stop function. */
export function startScheduler(_ctx: ServerContext): () => void {
  return () => {};
}
