/**
 * Checkout settings of the sources → Slipway's top-level `clone:`. Slipway checks out a shallow
 * repository per run (default depth 50) or, with `clone: false`, only the files; it has no
 * submodules, LFS, clone path or custom clone step, so those are reported as dropped.
 * GitLab sets these through `GIT_*` variables, Woodpecker through `skip_clone` and the settings of
 * its git plugin step.
 */
import type { CloneDraft } from './draft.js';
import { isRecord } from './source.js';

export interface CloneOutcome {
  /** What to write as `clone:`; undefined keeps Slipway's default. */
  clone?: CloneDraft;
  /** Source settings carried into `clone:` (or equal to Slipway's behaviour). */
  carried: string[];
  /** Source settings that have no Slipway equivalent. */
  dropped: string[];
}

/** `clone:` as it reads in the output, for report messages. */
export function describeClone(clone: CloneDraft): string {
  if (clone === false) return 'false';
  return `{${Object.entries(clone)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ')}}`;
}

function wholeNumber(value: unknown): number | undefined {
  const text = String(value).trim();
  return /^\d{1,7}$/.test(text) ? Number(text) : undefined;
}

/** GitLab's pipeline-wide GIT_* variables (GIT_STRATEGY, GIT_DEPTH, GIT_SUBMODULE_STRATEGY…). */
export function cloneFromGitlabVariables(git: Record<string, string>): CloneOutcome {
  const out: CloneOutcome = { carried: [], dropped: [] };
  const settings: { depth?: number } = {};
  for (const [name, value] of Object.entries(git)) {
    if (name === 'GIT_STRATEGY') {
      // `none` gives a job no checkout at all; the closest Slipway has is the files without .git.
      if (value === 'none' || value === 'empty') out.clone = false;
      out.carried.push(name);
    } else if (name === 'GIT_DEPTH') {
      const depth = wholeNumber(value);
      if (depth === undefined) out.dropped.push(name);
      else {
        settings.depth = depth;
        out.carried.push(name);
      }
    } else if (name === 'GIT_SUBMODULE_STRATEGY' && value === 'none') out.carried.push(name);
    else out.dropped.push(name);
  }
  if (out.clone !== false && settings.depth !== undefined) out.clone = settings;
  return out;
}

/** Woodpecker's `skip_clone:` and `clone:` (a map or list of steps; the git plugin's settings). */
export function cloneFromWoodpecker(skipClone: unknown, clone: unknown): CloneOutcome {
  const out: CloneOutcome = { carried: [], dropped: [] };
  if (skipClone === true) {
    out.clone = false;
    out.carried.push('skip_clone');
  }
  if (clone === undefined) return out;
  const steps = Array.isArray(clone) ? clone : isRecord(clone) ? Object.values(clone) : [];
  const settings: { depth?: number; tags?: boolean } = {};
  let custom = steps.length === 0;
  for (const step of steps) {
    // Only the stock git plugin with settings Slipway knows can be carried; a custom clone step
    // (its own image and commands) cannot.
    const plugin = isRecord(step) && typeof step.image === 'string' && /plugin-git/.test(step.image);
    if (!plugin || (isRecord(step) && step.commands !== undefined)) {
      custom = true;
      continue;
    }
    const s = isRecord(step.settings) ? step.settings : {};
    for (const [key, value] of Object.entries(s)) {
      if (key === 'depth' && wholeNumber(value) !== undefined) settings.depth = wholeNumber(value);
      else if (key === 'tags' && typeof value === 'boolean') settings.tags = value;
      else if ((key === 'lfs' || key === 'recursive' || key === 'submodules') && value === false) continue;
      else custom = true;
    }
  }
  if (custom) out.dropped.push('clone');
  else out.carried.push('clone');
  if (out.clone !== false && Object.keys(settings).length > 0) out.clone = settings;
  return out;
}
