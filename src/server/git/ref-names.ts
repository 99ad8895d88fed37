import { isValidRefName } from '../../domain/ref.js';

/**
 * Checks on names that come from outside before they reach git. `--end-of-options` already stops
 * a name from being read as an option; these stop it from being read as revision syntax
 * (`main~3`, `HEAD@{1}`, `a..b`, `sha:path`) — a branch name must name a branch, nothing else.
 * The rules follow `git check-ref-format`.
 */

const OBJECT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const ABBREVIATED_ID = /^[0-9a-f]{7,64}$/;

export function isObjectId(text: string): boolean {
  return OBJECT_ID.test(text);
}

/** The all-zero id git uses for "no object" (a created or deleted ref). */
export function isZeroId(text: string): boolean {
  return /^0+$/.test(text) && (text.length === 40 || text.length === 64);
}

export function isAbbreviatedId(text: string): boolean {
  return ABBREVIATED_ID.test(text);
}

/** A valid ref name (short like `feature/x` or full like `refs/heads/feature/x`): the domain's one rule. */
export const isSafeRefName = isValidRefName;

/**
 * A path inside a commit's tree as git wants it (`dir/file`): leading `./` and `/` dropped;
 * `..`, empty segments, NUL and newlines refused (null).
 */
export function normalizeTreePath(path: string): string | null {
  if (path.length === 0 || path.length > 4096 || /[\u0000\n\r]/.test(path)) return null;
  const parts = path.split('/').filter((part, i) => !(part === '' && i === 0) && part !== '.');
  if (parts.length === 0 || parts.some((part) => part === '' || part === '..')) return null;
  return parts.join('/');
}
