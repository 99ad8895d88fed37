import type { PipelineEvent } from '../../domain/event.js';
import { gitflowClass, isGitFlowClass } from '../../domain/gitflow.js';
import type { FilterConfig } from '../config/schema.js';

/**
 * `only` / `except` evaluation.
 *
 * A filter is a list (shorthand) or `{ branches, tags, events }`. Each pattern is a GitFlow class
 * name (`main`, `develop`, `feature`, `release`, `hotfix`, `tag`) or an anchored regular
 * expression over the short ref name. In the shorthand, a regex matches branches and tags alike.
 * In the object form every present key must match (AND); patterns inside a key are OR'ed.
 */
export interface FilterVerdict {
  matches: boolean;
  /** Human reason when it does not match, e.g. `branch "main" is not in only.branches`. */
  why: string;
}

function toList(value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value : [value];
}

/** Anchored: `release/.*` must match the whole name, as GitLab users expect of `only`. */
function patternMatches(pattern: string, event: PipelineEvent): boolean {
  // Ref patterns name this repository's branches and tags. A pull request is neither: its head
  // branch lives in the head repository (a fork may call it `main`). Select it by `events`.
  if (event.ref.kind === 'pull_request') return false;
  if (isGitFlowClass(pattern)) return gitflowClass(event.ref) === pattern;
  try {
    return new RegExp(`^(?:${pattern})$`).test(event.ref.name);
  } catch {
    // The linter reports invalid regexes; at plan time an invalid pattern simply does not match.
    return false;
  }
}

function matchesFilter(filter: FilterConfig, event: PipelineEvent): { ok: boolean; part: string } {
  const shorthand = toList(typeof filter === 'string' || Array.isArray(filter) ? filter : undefined);
  if (shorthand) {
    return { ok: shorthand.some((p) => patternMatches(p, event)), part: 'ref' };
  }
  const object = filter as Exclude<FilterConfig, string | string[]>;
  const branches = toList(object.branches);
  const tags = toList(object.tags);
  const events = toList(object.events);
  if (events && !events.includes(event.kind)) return { ok: false, part: 'events' };
  if (branches || tags) {
    const list = event.ref.kind === 'tag' ? tags : branches;
    if (!list?.some((p) => patternMatches(p, event))) {
      return { ok: false, part: event.ref.kind === 'tag' ? 'tags' : 'branches' };
    }
  }
  return { ok: true, part: '' };
}

export function evaluateFilters(
  only: FilterConfig | undefined,
  except: FilterConfig | undefined,
  event: PipelineEvent,
): FilterVerdict {
  const subject = `${event.ref.kind} "${event.ref.name}" (${event.kind})`;
  if (only !== undefined) {
    const result = matchesFilter(only, event);
    if (!result.ok) return { matches: false, why: `${subject} does not match only${suffix(result.part)}` };
  }
  if (except !== undefined) {
    const result = matchesFilter(except, event);
    // For `except`, a match means excluded; an object filter excludes when all its keys match.
    if (result.ok) return { matches: false, why: `${subject} matches except` };
  }
  return { matches: true, why: '' };
}

function suffix(part: string): string {
  return part === 'ref' || part === '' ? '' : `.${part}`;
}
