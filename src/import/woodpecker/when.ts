/**
 * Woodpecker's `when:` (a map, or a list of maps OR'ed together) as Slipway filters, `changes`
 * and `when:` status. Event, branch (globs), ref, path and status have a Slipway meaning;
 * evaluate, environment, matrix, platform, cron, repo and instance filters do not.
 */
import { globPattern, literalPattern } from '../common.js';
import type { FilterDraft } from '../draft.js';
import { type Alternative, toFilter } from '../gitlab/conditions.js';
import { isRecord, stringList } from '../source.js';
import { EVENTS } from '../target.js';

const EVENT_MAP: Record<string, string> = {
  push: EVENTS.push,
  pull_request: EVENTS.pullRequest,
  tag: EVENTS.tag,
  manual: EVENTS.manual,
  cron: EVENTS.cron,
  deployment: EVENTS.api,
  release: EVENTS.tag,
};

export interface WhenResult {
  only?: FilterDraft;
  except?: FilterDraft;
  changes?: string[];
  when?: 'on_failure' | 'always';
  issues: { outcome: 'approximated' | 'untranslatable'; code: string; params: Record<string, string> }[];
}

export function translateWhen(value: unknown): WhenResult {
  const list = (Array.isArray(value) ? value : [value]).filter(isRecord);
  const result: WhenResult = { issues: [] };
  const include: Alternative[] = [];
  const exclude: Alternative[] = [];
  for (const cond of list) {
    const events: string[] = [];
    for (const e of stringList(cond.event) ?? []) {
      const mapped = EVENT_MAP[e];
      if (mapped) events.push(mapped);
      else
        result.issues.push({
          outcome: 'untranslatable',
          code: 'woodpecker.when.event',
          params: { event: e },
        });
      if (e === 'release' || e === 'deployment')
        result.issues.push({
          outcome: 'approximated',
          code: 'woodpecker.when.event-mapped',
          params: { event: e, to: mapped ?? '' },
        });
    }
    const branches = patterns(cond.branch, 'branch');
    const refs = patterns(cond.ref, 'ref');
    exclude.push(...branches.exclude, ...refs.exclude);
    const refAlts = [...branches.include, ...refs.include];
    const eventList: (string | undefined)[] = events.length > 0 ? events : [undefined];
    if (refAlts.length === 0) {
      for (const event of eventList) include.push(event ? { event } : {});
    } else {
      for (const alt of refAlts) for (const event of eventList) include.push(event ? { ...alt, event } : alt);
    }
    const status = stringList(cond.status);
    if (status) {
      if (status.includes('failure') && status.includes('success')) result.when = 'always';
      else if (status.includes('failure')) result.when = 'on_failure';
    }
    const path = cond.path ?? cond.paths;
    if (path !== undefined) {
      const inc = isRecord(path) ? stringList(path.include) : stringList(path);
      if (inc) result.changes = [...(result.changes ?? []), ...inc];
      if (isRecord(path) && path.exclude !== undefined)
        result.issues.push({ outcome: 'approximated', code: 'woodpecker.when.path-exclude', params: {} });
    }
    for (const key of Object.keys(cond)) {
      if (!['event', 'branch', 'ref', 'status', 'path', 'paths'].includes(key))
        result.issues.push({ outcome: 'untranslatable', code: 'woodpecker.when.key', params: { key } });
    }
  }
  if (include.length > 0) {
    const { filter, approx } = toFilter(include);
    if (filter) result.only = filter;
    for (const code of approx) result.issues.push({ outcome: 'approximated', code, params: {} });
  }
  if (exclude.length > 0) {
    const { filter } = toFilter(exclude);
    if (filter) result.except = filter;
  }
  return result;
}

function patterns(
  value: unknown,
  kind: 'branch' | 'ref',
): { include: Alternative[]; exclude: Alternative[] } {
  const toAlt = (glob: string): Alternative => {
    if (kind === 'branch') return { ref: { kind: 'branch', pattern: globPattern(glob) } };
    const tag = /^refs\/tags\/(.*)$/.exec(glob);
    const head = /^refs\/heads\/(.*)$/.exec(glob);
    if (tag) return { ref: { kind: 'tag', pattern: globPattern(tag[1] as string) } };
    if (head) return { ref: { kind: 'branch', pattern: globPattern(head[1] as string) } };
    return { ref: { kind: 'either', pattern: literalPattern(glob) } };
  };
  if (isRecord(value)) {
    return {
      include: (stringList(value.include) ?? []).map(toAlt),
      exclude: (stringList(value.exclude) ?? []).map(toAlt),
    };
  }
  return { include: (stringList(value) ?? []).map(toAlt), exclude: [] };
}
