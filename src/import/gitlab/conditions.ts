/**
 * GitLab's conditions — `rules:if` expressions and `only`/`except` ref lists — as Slipway
 * filters. Only conditions on the ref and the pipeline source have a Slipway meaning; anything
 * else (a project variable, `exists`) is reported, never guessed.
 */
import { literalPattern, slashRegexPattern } from '../common.js';
import type { FilterDraft } from '../draft.js';
import { EVENTS } from '../target.js';

/** One way a condition can be true: a ref pattern (branch, tag or either) and/or an event. */
export interface Alternative {
  ref?: { kind: 'branch' | 'tag' | 'either'; pattern: string };
  event?: string;
  /** Set when the match is close but not identical (why, as a message code). */
  approx?: string;
}

export type Parsed = { ok: true; alternatives: Alternative[] } | { ok: false; reason: string };

const SOURCES: Record<string, string> = {
  push: EVENTS.push,
  merge_request_event: EVENTS.pullRequest,
  external_pull_request_event: EVENTS.pullRequest,
  schedule: EVENTS.cron,
  web: EVENTS.manual,
  api: EVENTS.api,
  trigger: EVENTS.api,
  pipeline: EVENTS.api,
};

const BRANCH_VARS = new Set(['CI_COMMIT_BRANCH']);
const REF_VARS = new Set(['CI_COMMIT_REF_NAME', 'CI_COMMIT_REF_SLUG']);
const GUARD_VARS = new Set([
  'CI_PROJECT_NAMESPACE',
  'CI_PROJECT_PATH',
  'CI_PROJECT_NAME',
  'CI_SERVER_HOST',
  'CI_PROJECT_ROOT_NAMESPACE',
]);
const MR_VARS = new Set(['CI_MERGE_REQUEST_ID', 'CI_MERGE_REQUEST_IID', 'CI_OPEN_MERGE_REQUESTS']);

/** `$A == "x" || $B =~ /y/ && $C` → alternatives, or why not. */
export function parseIf(expr: string): Parsed {
  if (/[()]/.test(expr.replace(/\/[^/]*\//g, ''))) return { ok: false, reason: 'parentheses' };
  const alternatives: Alternative[] = [];
  for (const clause of expr.split('||')) {
    let alt: Alternative = {};
    for (const atomText of clause.split('&&')) {
      const atom = parseAtom(atomText.trim());
      if (!atom.ok) return atom;
      if ((atom.alt.ref && alt.ref) || (atom.alt.event && alt.event))
        return { ok: false, reason: 'two-conditions' };
      alt = { ...alt, ...atom.alt, approx: alt.approx ?? atom.alt.approx };
    }
    alternatives.push(alt);
  }
  return { ok: true, alternatives };
}

type Atom = { ok: true; alt: Alternative } | { ok: false; reason: string };

function parseAtom(text: string): Atom {
  const cmp = /^\$\{?(\w+)\}?\s*(==|!=|=~|!~)\s*(.+)$/.exec(text);
  if (!cmp) {
    const truthy = /^\$\{?(\w+)\}?$/.exec(text);
    if (!truthy) return { ok: false, reason: 'expression' };
    const name = truthy[1] as string;
    if (name === 'CI_COMMIT_TAG') return { ok: true, alt: { ref: { kind: 'tag', pattern: '.*' } } };
    if (BRANCH_VARS.has(name)) return { ok: true, alt: { ref: { kind: 'branch', pattern: '.*' } } };
    if (MR_VARS.has(name)) return { ok: true, alt: { event: EVENTS.pullRequest } };
    return { ok: false, reason: 'variable' };
  }
  const [, name, op, rawRight] = cmp as unknown as [string, string, string, string];
  const right = rawRight.trim();
  if (op === '!=' || op === '!~') {
    // `$CI_COMMIT_TAG == null`-style tests of absence and negated matches need `except`.
    return { ok: false, reason: 'negation' };
  }
  if (GUARD_VARS.has(name) && op === '==') {
    // "Only in the upstream project, not in forks": in Slipway the file runs in its own project.
    return { ok: true, alt: { approx: 'gitlab.rules.project-guard' } };
  }
  if (name === 'CI_PIPELINE_SOURCE') {
    const source = unquote(right);
    const event = source === null ? undefined : SOURCES[source];
    return event ? { ok: true, alt: { event } } : { ok: false, reason: 'source' };
  }
  const kind =
    name === 'CI_COMMIT_TAG'
      ? 'tag'
      : BRANCH_VARS.has(name)
        ? 'branch'
        : REF_VARS.has(name)
          ? 'either'
          : null;
  if (kind === null) return { ok: false, reason: 'variable' };
  if (op === '=~') {
    const re = slashRegexPattern(right);
    if (!re) return { ok: false, reason: 'expression' };
    return {
      ok: true,
      alt: { ref: { kind, pattern: re.pattern }, ...(re.flags ? { approx: 'common.regex.flags' } : {}) },
    };
  }
  if (/^\$\{?CI_DEFAULT_BRANCH\}?$/.test(right)) {
    return { ok: true, alt: { ref: { kind: 'branch', pattern: 'main' }, approx: 'gitlab.default-branch' } };
  }
  const literal = unquote(right);
  if (literal === null) return { ok: false, reason: 'expression' };
  return { ok: true, alt: { ref: { kind, pattern: literalPattern(literal) } } };
}

function unquote(text: string): string | null {
  const m = /^"(.*)"$|^'(.*)'$/.exec(text);
  if (m) return (m[1] ?? m[2]) as string;
  return /^[\w./-]+$/.test(text) ? text : null;
}

/** GitLab `only:`/`except:` refs (`main`, `tags`, `merge_requests`, `/^release/`) as alternatives. */
export function refsToAlternatives(refs: readonly string[]): {
  alternatives: Alternative[];
  unknown: string[];
} {
  const alternatives: Alternative[] = [];
  const unknown: string[] = [];
  for (const ref of refs) {
    const keyword: Record<string, Alternative> = {
      branches: { ref: { kind: 'branch', pattern: '.*' } },
      tags: { ref: { kind: 'tag', pattern: '.*' } },
      merge_requests: { event: EVENTS.pullRequest },
      external_pull_requests: { event: EVENTS.pullRequest },
      schedules: { event: EVENTS.cron },
      web: { event: EVENTS.manual },
      api: { event: EVENTS.api },
      triggers: { event: EVENTS.api },
      pipelines: { event: EVENTS.api },
      pushes: { event: EVENTS.push },
    };
    const known = keyword[ref];
    if (known) alternatives.push(known);
    else if (ref === 'chat') unknown.push(ref);
    else {
      const re = slashRegexPattern(ref);
      if (re)
        alternatives.push({
          ref: { kind: 'either', pattern: re.pattern },
          ...(re.flags ? { approx: 'common.regex.flags' } : {}),
        });
      else alternatives.push({ ref: { kind: 'either', pattern: literalPattern(ref) } });
    }
  }
  return { alternatives, unknown };
}

export interface FilterResult {
  filter?: FilterDraft;
  /** Codes of approximations made while merging the alternatives. */
  approx: string[];
}

/**
 * Alternatives OR'ed into one Slipway filter. Slipway ANDs `events` with the ref lists, so a mix
 * of "on these branches" and "on merge requests" cannot be said exactly: the ref part is kept.
 */
export function toFilter(alternatives: readonly Alternative[]): FilterResult {
  const approx = alternatives.flatMap((a) => (a.approx ? [a.approx] : []));
  if (alternatives.length === 0) return { approx };
  // An alternative with neither a ref nor an event is always true: no filter at all.
  if (alternatives.some((a) => !a.ref && !a.event)) return { approx };
  const events = unique(alternatives.flatMap((a) => (a.event ? [a.event] : [])));
  const withRef = alternatives.filter((a) => a.ref);
  const eventOnly = alternatives.filter((a) => !a.ref);
  if (withRef.length === 0) return { filter: { events }, approx };
  if (eventOnly.length > 0) approx.push('common.filter.events-or-refs');
  const refEvents = unique(withRef.flatMap((a) => (a.event ? [a.event] : [])));
  if (refEvents.length > 0 && withRef.some((a) => !a.event)) approx.push('common.filter.events-partial');
  const either = withRef.filter((a) => a.ref?.kind === 'either').map((a) => a.ref?.pattern as string);
  const branches = withRef.filter((a) => a.ref?.kind === 'branch').map((a) => a.ref?.pattern as string);
  const tags = withRef.filter((a) => a.ref?.kind === 'tag').map((a) => a.ref?.pattern as string);
  if (branches.length === 0 && tags.length === 0 && refEvents.length === 0)
    return { filter: unique(either), approx };
  const filter: { branches?: string[]; tags?: string[]; events?: string[] } = {};
  const b = unique([...either, ...branches]);
  const t = unique([...either, ...tags]);
  if (b.length > 0) filter.branches = b;
  if (t.length > 0) filter.tags = t;
  if (refEvents.length > 0 && withRef.every((a) => a.event)) filter.events = refEvents;
  return { filter, approx };
}

function unique(list: readonly string[]): string[] {
  return [...new Set(list)];
}
