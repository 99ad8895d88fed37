/**
 * The images rule: a local image is always used as is; pull only when it is missing, bounded
 * by a timeout, and report a failed pull as `image_not_found` rather than an engine error,
 * because to the user it is a problem with the pipeline's image, not with Slipway.
 */
import type Dockerode from 'dockerode';
import { type SystemLineSink, writeSystemLine } from '../../domain/system-line-codes.js';
import type { JobOutcome } from '../backend.js';
import { describeError, engineMessage, isNotFound } from './errors.js';
import { readProgress } from './progress.js';

export type ImageStatus = { ok: true } | { ok: false; outcome: JobOutcome };

export interface EnsureImageOptions {
  pullTimeoutMs: number;
  /** Told when a pull starts and ends (coded lines), so a job's log can explain the wait. */
  pullLog?: SystemLineSink | undefined;
}

export async function ensureImage(
  docker: Dockerode,
  image: string,
  options: EnsureImageOptions,
): Promise<ImageStatus> {
  const before = await lookUp(docker, image);
  if (before !== 'missing') return before;

  const started = Date.now();
  if (options.pullLog) writeSystemLine(options.pullLog, 'image.pulling', { image }, `pulling image ${image}`);
  const timeout = AbortSignal.timeout(options.pullTimeoutMs);
  let reason: string | null = null;
  try {
    const stream: NodeJS.ReadableStream = await docker.pull(image, { abortSignal: timeout });
    await readProgress(stream);
  } catch (err) {
    reason = timeout.aborted
      ? `it did not finish within ${Math.round(options.pullTimeoutMs / 1000)} s`
      : engineMessage(err);
  }
  if (reason === null) {
    // A pull can end "successfully" without the tag we asked for (e.g. a platform mismatch).
    const after = await lookUp(docker, image);
    if (after !== 'missing') {
      const ms = Date.now() - started;
      if (after.ok && options.pullLog)
        writeSystemLine(
          options.pullLog,
          'image.pulled',
          { image, ms },
          `pulled image ${image} in ${(ms / 1000).toFixed(1)} s`,
        );
      return after;
    }
    reason = 'the pull ended but the image is still missing';
  }
  return {
    ok: false,
    outcome: {
      kind: 'image_not_found',
      image,
      message: `image "${image}" is not present on this engine and pulling it failed: ${reason}`,
    },
  };
}

/** Present (ok), missing, or the engine error: an unreachable engine is not a missing image. */
async function lookUp(docker: Dockerode, image: string): Promise<ImageStatus | 'missing'> {
  try {
    await docker.getImage(image).inspect();
    return { ok: true };
  } catch (err) {
    if (isNotFound(err)) return 'missing';
    return {
      ok: false,
      outcome: { kind: 'backend_error', message: describeError(`inspecting image ${image}`, err) },
    };
  }
}
