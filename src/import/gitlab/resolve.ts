/**
 * GitLab's reuse constructs resolved to plain jobs, the way GitLab itself computes them:
 * `include: local` files merged under the main file, `extends` (deep merge of maps, later wins),
 * `default:` and the older global keys, `inherit:`, and `!reference` tags. Each job remembers
 * which file and which top-level entry each of its keys came from, so the report can name the
 * line where the user wrote it.
 */
import picomatch from 'picomatch';
import type { ReportBuilder } from '../report.js';
import { isRecord, lineOf, type SourceFile } from '../source.js';

export const GLOBAL_KEYS = new Set([
  'image',
  'services',
  'cache',
  'before_script',
  'after_script',
  'variables',
  'stages',
  'types',
  'include',
  'workflow',
  'default',
  'spec',
]);
/** Keys `default:` (and the older global keys) give every job that does not set them. */
export const DEFAULT_KEYS = [
  'after_script',
  'artifacts',
  'before_script',
  'cache',
  'hooks',
  'id_tokens',
  'image',
  'interruptible',
  'retry',
  'services',
  'tags',
  'timeout',
] as const;

export interface Origin {
  file: SourceFile;
  /** Path of the key's parent in that file, like ['.base'] or ['default']. */
  owner: (string | number)[];
}

export interface ResolvedJob {
  name: string;
  body: Record<string, unknown>;
  origins: Map<string, Origin>;
  /** Where the job itself is written. */
  home: Origin;
}

export interface ResolvedConfig {
  /** Top-level entries of all files, main file winning. */
  top: Record<string, unknown>;
  topOrigins: Map<string, Origin>;
  jobs: ResolvedJob[];
  templates: { name: string; home: Origin }[];
  defaults: Record<string, unknown>;
  defaultOrigins: Map<string, Origin>;
}

export function resolveGitlab(
  main: SourceFile,
  others: ReadonlyMap<string, SourceFile>,
  report: ReportBuilder,
): ResolvedConfig {
  const top: Record<string, unknown> = {};
  const topOrigins = new Map<string, Origin>();
  const visited = new Set<string>();

  const load = (src: SourceFile, depth: number): void => {
    if (visited.has(src.path) || depth > 10) return;
    visited.add(src.path);
    const value = isRecord(src.value) ? src.value : {};
    for (const inc of includeEntries(value.include)) {
      const line = lineOf(src, ['include']);
      if (inc.kind !== 'local') {
        report.add({
          file: src.path,
          line,
          construct: `include: ${inc.kind}`,
          outcome: 'untranslatable',
          code: 'gitlab.include.remote',
          params: { kind: inc.kind, target: inc.target },
        });
        continue;
      }
      const wanted = inc.target.replace(/^\.?\//, '');
      const match = picomatch(wanted, { dot: true });
      const found = [...others.values()].filter((f) => match(f.path.replace(/^\.?\//, '')));
      if (found.length === 0) {
        report.add({
          file: src.path,
          line,
          construct: 'include: local',
          outcome: 'untranslatable',
          code: 'gitlab.include.missing',
          params: { target: inc.target },
        });
        continue;
      }
      for (const f of found) {
        report.add({
          file: src.path,
          line,
          construct: 'include: local',
          outcome: 'translated',
          code: 'gitlab.include.merged',
          params: { target: f.path },
        });
        load(f, depth + 1);
      }
    }
    // Included files first; the including file's entries win (maps merged deeply).
    for (const [key, entry] of Object.entries(value)) {
      if (key === 'include') continue;
      top[key] = key in top && isRecord(top[key]) && isRecord(entry) ? deepMerge(top[key], entry) : entry;
      topOrigins.set(key, { file: src, owner: [] });
    }
  };
  load(main, 0);

  const defaults: Record<string, unknown> = {};
  const defaultOrigins = new Map<string, Origin>();
  for (const key of DEFAULT_KEYS) {
    if (key in top && key !== 'tags' && key !== 'interruptible' && key !== 'retry' && key !== 'timeout') {
      defaults[key] = top[key];
      defaultOrigins.set(key, topOrigins.get(key) as Origin);
    }
  }
  if (isRecord(top.default)) {
    const origin = topOrigins.get('default') as Origin;
    for (const [key, v] of Object.entries(top.default)) {
      defaults[key] = v;
      defaultOrigins.set(key, { file: origin.file, owner: ['default'] });
    }
  }

  const entries = Object.entries(top).filter(([k, v]) => !GLOBAL_KEYS.has(k) && isRecord(v));
  const raw = new Map(entries as [string, Record<string, unknown>][]);
  const resolved = new Map<string, { body: Record<string, unknown>; origins: Map<string, Origin> }>();
  const homeOf = (name: string): Origin => topOrigins.get(name) ?? { file: main, owner: [] };

  const resolveJob = (
    name: string,
    chain: string[],
  ): { body: Record<string, unknown>; origins: Map<string, Origin> } => {
    const done = resolved.get(name);
    if (done) return done;
    const own = raw.get(name) ?? {};
    const home = homeOf(name);
    let body: Record<string, unknown> = {};
    const origins = new Map<string, Origin>();
    const parents =
      own.extends === undefined
        ? []
        : Array.isArray(own.extends)
          ? own.extends.map(String)
          : [String(own.extends)];
    for (const parent of parents) {
      if (!raw.has(parent) || chain.includes(parent) || chain.length > 10) {
        report.add({
          file: home.file.path,
          line: lineOf(home.file, [name, 'extends']),
          construct: 'extends',
          job: name,
          outcome: 'untranslatable',
          code: raw.has(parent) ? 'gitlab.extends.cycle' : 'gitlab.extends.missing',
          params: { job: name, parent },
        });
        continue;
      }
      const p = resolveJob(parent, [...chain, name]);
      body = deepMerge(body, p.body);
      for (const [k, o] of p.origins) origins.set(k, o);
    }
    const ownBody = Object.fromEntries(Object.entries(own).filter(([k]) => k !== 'extends'));
    body = deepMerge(body, ownBody);
    for (const k of Object.keys(ownBody)) origins.set(k, { file: home.file, owner: [name] });
    if (parents.length > 0) origins.set('extends', { file: home.file, owner: [name] });
    const result = { body, origins };
    resolved.set(name, result);
    return result;
  };

  const jobs: ResolvedJob[] = [];
  const templates: { name: string; home: Origin }[] = [];
  for (const name of raw.keys()) {
    if (name.startsWith('.')) {
      templates.push({ name, home: homeOf(name) });
      continue;
    }
    const { body, origins } = resolveJob(name, []);
    const withRefs = resolveReferences(body, top) as Record<string, unknown>;
    jobs.push({ name, body: withRefs, origins, home: homeOf(name) });
  }
  return {
    top,
    topOrigins,
    jobs,
    templates,
    defaults: resolveReferences(defaults, top) as Record<string, unknown>,
    defaultOrigins,
  };
}

interface IncludeEntry {
  kind: 'local' | 'remote' | 'template' | 'project' | 'component';
  target: string;
}

function includeEntries(value: unknown): IncludeEntry[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((entry): IncludeEntry => {
    if (typeof entry === 'string') {
      return /^https?:\/\//.test(entry)
        ? { kind: 'remote', target: entry }
        : { kind: 'local', target: entry };
    }
    if (isRecord(entry)) {
      for (const kind of ['local', 'remote', 'template', 'component'] as const) {
        if (typeof entry[kind] === 'string') return { kind, target: entry[kind] as string };
      }
      if (entry.project !== undefined)
        return { kind: 'project', target: `${String(entry.project)}:${String(entry.file)}` };
    }
    return { kind: 'remote', target: JSON.stringify(entry) };
  });
}

/** GitLab's merge for `extends` and includes: maps merge recursively, anything else is replaced. */
export function deepMerge(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isRecord(b) && isRecord(v) && !('!reference' in v) ? deepMerge(b, v) : v;
  }
  return out;
}

/** `!reference [job, key, …]` markers replaced by what they point at (lists spliced into lists). */
function resolveReferences(value: unknown, top: Record<string, unknown>, depth = 0): unknown {
  if (depth > 10) return value;
  if (Array.isArray(value)) {
    return value.flatMap((item) => {
      const r = resolveReferences(item, top, depth + 1);
      return isRecord(item) && '!reference' in item && Array.isArray(r) ? r : [r];
    });
  }
  if (isRecord(value)) {
    if ('!reference' in value && Array.isArray(value['!reference'])) {
      let target: unknown = top;
      for (const seg of value['!reference'] as string[]) target = isRecord(target) ? target[seg] : undefined;
      return resolveReferences(target ?? [], top, depth + 1);
    }
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, resolveReferences(v, top, depth + 1)]),
    );
  }
  return value;
}
