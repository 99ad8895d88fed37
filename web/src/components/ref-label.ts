import type { RunSummary } from '../api/types.js';
import type { TFunction } from '../i18n/index.js';

/**
 * A run's ref as the records and run pages show it. A pull request shows as itself, with its
 * head branch as a detail: the branch name is whatever the (possibly forked) author chose.
 */
export function refLabel(ref: RunSummary['ref'], t: TFunction): string {
  if (ref.kind === 'pull_request') return t('ref.pullRequest', { n: ref.number ?? '?', branch: ref.name });
  return ref.name;
}
