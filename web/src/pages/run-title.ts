/**
 * The line that titles a run: a release run (trigger `deploy`) is said from its release
 * (number, application, environment) in the reader's language; any other run shows the first
 * line of its commit message as written.
 */
import type { RunSummary } from '../../../src/api/runs.js';
import type { TFunction } from '../i18n/index.js';

export function runTitle(run: Pick<RunSummary, 'message' | 'release'>, t: TFunction): string {
  if (run.release) return t('release.runTitle', run.release);
  return run.message.split('\n', 1)[0] ?? '';
}
