import type { ServerContext } from '../context.js';

/** Expired artifacts go within about this long of their expiry (readers stop seeing them at once). */
export const ARTIFACT_SWEEP_MS = 60_000;

/**
 * Removes expired artifacts (and those of deleted runs) on a timer owned by the server: started
 * by `listen`, stopped by the returned function on close. One sweep at a time.
 */
export function sweepArtifactsEvery(
  ctx: Pick<ServerContext, 'artifacts' | 'log' | 'now'>,
  everyMs: number,
): () => void {
  let sweeping = false;
  const sweep = () => {
    if (sweeping) return;
    sweeping = true;
    ctx.artifacts
      .sweep(ctx.now())
      .catch((error: unknown) => ctx.log.warn({ err: error }, 'artifact expiry sweep failed'))
      .finally(() => {
        sweeping = false;
      });
  };
  sweep();
  const timer = setInterval(sweep, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
