/**
 * The file being loaded and the files it included → one set of stages, jobs and templates,
 * each remembering where it was written (source-map.ts).
 *
 * Precedence is GitLab's: included files first, in include order, then this file; a later
 * definition merges over an earlier one (deep-merge.ts), so this file wins. Order is what the
 * author reads: this file's stages and jobs first, then those only included files name, in
 * include order. Values of the wrong shape are passed through untouched: the schema check
 * after this reports them, located, in its usual words.
 */
import { deepMerge, isPlainMap, omitKeys, type PlainMap, setOwn } from './deep-merge.js';
import type { Site, SourceFile } from './source-map.js';

export interface JobEntry {
  name: string;
  value: unknown;
  /** Where it was written, most specific first (then templates and `default:` are added). */
  sites: Site[];
}

export interface StageEntry {
  name: unknown;
  /** Keys of the stage other than name and jobs (only unknown keys: the schema reports them). */
  rest: PlainMap;
  site: Site;
  jobs: JobEntry[];
  /** Whether any file gave the stage a `jobs:` key. */
  sawJobs: boolean;
  /** `jobs:` when it is not a mapping, for the schema to report. */
  rawJobs?: unknown;
  /** Set when the stage was not a mapping with a name: the element as written. */
  raw?: { value: unknown };
}

export interface Template {
  value: unknown;
  sites: Site[];
}

export interface Assembly {
  /** Top-level keys other than stages and templates, merged. */
  top: PlainMap;
  /** Files for top-level keys: this file first, then the included ones, latest first. */
  topFiles: SourceFile[];
  /** Null when no file has a list of stages: then `rawStages` is this file's value. */
  stages: StageEntry[] | null;
  rawStages: unknown;
  /** Top-level keys starting with `.`: templates for `extends:`, never run. */
  templates: Map<string, Template>;
}

export const isHidden = (name: string): boolean => name.startsWith('.');

export function assemble(main: SourceFile & { value: PlainMap }, included: readonly SourceFile[]): Assembly {
  const maps = included.filter((f): f is SourceFile & { value: PlainMap } => isPlainMap(f.value));
  const precedence = [...maps, main];
  const ordering = [main, ...maps];

  let top: PlainMap = {};
  const templates = new Map<string, Template>();
  for (const source of precedence) {
    const own = source === main ? source.value : omitKeys(source.value, ['include']);
    const plain = Object.keys(own).filter((k) => k !== 'stages' && !isHidden(k));
    top = deepMerge(top, Object.fromEntries(plain.map((k) => [k, own[k]]))) as PlainMap;
    for (const key of Object.keys(own).filter(isHidden)) {
      const known = templates.get(key) ?? { value: undefined, sites: [] };
      known.value = deepMerge(known.value, own[key]);
      known.sites.unshift({ source, path: [key] });
      templates.set(key, known);
    }
  }

  const stageLists = ordering.filter((source) => Array.isArray(source.value.stages));
  if (stageLists.length === 0) {
    return {
      top,
      topFiles: [main, ...[...maps].reverse()],
      stages: null,
      rawStages: main.value.stages,
      templates,
    };
  }

  // Pass 1, in reading order: which stages and jobs exist, in which order. Stages of one name
  // in different files are one stage; twice in one file stays a mistake (semantics.ts says so).
  const stages: StageEntry[] = [];
  const byName = new Map<string, StageEntry>();
  const entryOf = new Map<PlainMap, StageEntry>();
  const slots = new Map<StageEntry, Map<string, JobEntry>>();
  for (const source of stageLists) {
    const ownNames = new Set<string>();
    (source.value.stages as unknown[]).forEach((element, k) => {
      const site: Site = { source, path: ['stages', k] };
      if (!isPlainMap(element) || typeof element.name !== 'string') {
        // Nothing to merge by: kept as written, for the schema to report.
        stages.push({ name: undefined, rest: {}, site, jobs: [], sawJobs: false, raw: { value: element } });
        return;
      }
      let stage = ownNames.has(element.name) ? undefined : byName.get(element.name);
      if (!stage) {
        stage = { name: element.name, rest: {}, site, jobs: [], sawJobs: false };
        if (!byName.has(element.name)) byName.set(element.name, stage);
        stages.push(stage);
        slots.set(stage, new Map());
      }
      ownNames.add(element.name);
      entryOf.set(element, stage);
      if (!isPlainMap(element.jobs)) return;
      const jobs = slots.get(stage)!;
      for (const name of Object.keys(element.jobs)) {
        if (jobs.has(name)) continue;
        const entry: JobEntry = { name, value: undefined, sites: [] };
        jobs.set(name, entry);
        stage.jobs.push(entry);
      }
    });
  }

  // Pass 2, in precedence order: the values, later ones merged over earlier ones.
  for (const source of precedence) {
    if (!Array.isArray(source.value.stages)) continue;
    (source.value.stages as unknown[]).forEach((element, k) => {
      const stage = isPlainMap(element) ? entryOf.get(element) : undefined;
      if (!stage || !isPlainMap(element)) return;
      stage.rest = deepMerge(stage.rest, omitKeys(element, ['name', 'jobs'])) as PlainMap;
      if (element.jobs !== undefined) stage.sawJobs = true;
      if (element.jobs !== undefined && !isPlainMap(element.jobs)) stage.rawJobs = element.jobs;
      if (!isPlainMap(element.jobs)) return;
      const jobs = slots.get(stage)!;
      for (const [name, value] of Object.entries(element.jobs)) {
        const entry = jobs.get(name)!;
        entry.value = deepMerge(entry.value, value);
        entry.sites.unshift({ source, path: ['stages', k, 'jobs', name] });
      }
    });
  }
  return { top, topFiles: [main, ...[...maps].reverse()], stages, rawStages: undefined, templates };
}

/** The plain value of an assembled stage. */
export function stageValue(stage: StageEntry): unknown {
  if (stage.raw) return stage.raw.value;
  const out: PlainMap = {};
  setOwn(out, 'name', stage.name);
  for (const [key, value] of Object.entries(stage.rest)) setOwn(out, key, value);
  if (!stage.sawJobs) return out;
  if (stage.jobs.length > 0 || stage.rawJobs === undefined) {
    const jobs: PlainMap = {};
    for (const job of stage.jobs) setOwn(jobs, job.name, job.value);
    setOwn(out, 'jobs', jobs);
  } else {
    setOwn(out, 'jobs', stage.rawJobs);
  }
  return out;
}
