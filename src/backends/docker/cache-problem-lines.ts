/**
 * The warnings a cache problem leaves in a job's log (nothing about caches fails a job). Each is
 * coded so the web UI can say it in the reader's language; the engine's own words travel as
 * `detail`, and the English text is the one Slipway has always written (raw log, CLI).
 */
import { writeSystemLine } from '../../domain/system-line-codes.js';
import type { JobOutput } from '../backend.js';
import { engineMessage } from './errors.js';

export function cacheRestoreFailed(output: JobOutput, err: unknown): void {
  const detail = engineMessage(err);
  writeSystemLine(
    output,
    'cache.restore_failed',
    { detail },
    `cache: could not be restored, the job runs without it: ${detail}`,
  );
}

export function cacheSaveFailed(output: JobOutput, err: unknown): void {
  const detail = engineMessage(err);
  writeSystemLine(output, 'cache.save_failed', { detail }, `cache: could not be saved: ${detail}`);
}

/** `detail` is why the engine's overlay check failed (already one line). */
export function cacheOverlaysCopied(output: JobOutput, detail: string): void {
  writeSystemLine(
    output,
    'cache.overlays_copied',
    { detail },
    `cache: this engine cannot mount overlays, the cache is copied: ${detail}`,
  );
}

export function cacheKeyFilesMissing(output: JobOutput, missing: string[]): void {
  const files = missing.join(', ');
  writeSystemLine(
    output,
    'cache.key_files_missing',
    { files, count: missing.length },
    `cache: key files not in the workspace: ${files}`,
  );
}

export function remoteCacheAskFailed(output: JobOutput, key: string, err: unknown): void {
  const detail = engineMessage(err);
  writeSystemLine(
    output,
    'cache.remote_ask_failed',
    { key, detail },
    `cache: the server's cache store could not be asked for key ${key}: ${detail}`,
  );
}

export function remoteCacheRestoreFailed(output: JobOutput, key: string, err: unknown): void {
  const detail = engineMessage(err);
  writeSystemLine(
    output,
    'cache.remote_restore_failed',
    { key, detail },
    `cache: key ${key} from the server's cache store was not restored: ${detail}`,
  );
}

export function remoteCacheUploadFailed(output: JobOutput, key: string, err: unknown): void {
  const detail = engineMessage(err);
  writeSystemLine(
    output,
    'cache.remote_upload_failed',
    { key, detail },
    `cache: key ${key} was not uploaded to the server's cache store: ${detail}`,
  );
}
