/**
 * Where each part of the expanded config was written. `include:`, `extends:`, `default:` and
 * `matrix:` build the config that is validated out of pieces of several files and places;
 * diagnostics about the result must still point at the line the author can fix. Each expanded
 * job keeps the list of places it was assembled from (its own definition first, then its
 * templates, then `default:`), and a path inside it is located in the first place that has it.
 */
import type { Diagnostic, Severity } from './diagnostic.js';
import { type ConfigPath, formatPath, type Locator, type PathSegment, type Position } from './locate.js';

/** One parsed file: its name in diagnostics, its plain value and its locator. */
export interface SourceFile {
  file: string;
  value: unknown;
  locate: Locator;
}

/** A node of a source file. */
export interface Site {
  source: SourceFile;
  path: ConfigPath;
}

export interface Layout {
  /** The file being loaded, then the files it included (later includes first). */
  files: SourceFile[];
  /** Per expanded stage: where it was first written. */
  stages: Site[];
  /** Per expanded stage: job name → the places the job was assembled from, most specific first. */
  jobs: Map<string, Site[]>[];
}

export function locateIn(site: Site, rest: ConfigPath, target: 'key' | 'value'): Position {
  return { ...site.source.locate([...site.path, ...rest], target), file: site.source.file };
}

/** A Locator over the expanded config, answering with the file each spot is in. */
export function layoutLocator(layout: Layout): Locator {
  const first = (sites: readonly Site[], rest: ConfigPath, target: 'key' | 'value'): Position => {
    const found = sites.find((site) => hasPath(site.source.value, [...site.path, ...rest])) ?? sites[0]!;
    return locateIn(found, rest, target);
  };
  const top = layout.files.map((source): Site => ({ source, path: [] }));
  return (path, target = 'value') => {
    if (path[0] !== 'stages' || typeof path[1] !== 'number') return first(top, path, target);
    const stage = layout.stages[path[1]];
    if (!stage) return first(top, path, target);
    const jobName = path[2] === 'jobs' ? path[3] : undefined;
    const sites = jobName === undefined ? undefined : layout.jobs[path[1]]?.get(String(jobName));
    if (sites && sites.length > 0) return first(sites, path.slice(4), target);
    return locateIn(stage, path.slice(2), target);
  };
}

/** Whether the plain value has something at `path`. */
export function hasPath(value: unknown, path: ConfigPath): boolean {
  let current = value;
  for (const segment of path) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment)) return false;
    current = (current as Record<PathSegment, unknown>)[segment];
  }
  return true;
}

/** A diagnostic about the node at `rest` under `site`, in the file the site is in. */
export function siteDiagnostic(
  site: Site,
  rest: ConfigPath,
  code: string,
  message: string,
  opts: { severity?: Severity; target?: 'key' | 'value' } = {},
): Diagnostic {
  const { line, col, file } = locateIn(site, rest, opts.target ?? 'value');
  return {
    code,
    message,
    severity: opts.severity ?? 'error',
    file: file ?? site.source.file,
    line,
    col,
    path: formatPath([...site.path, ...rest]),
  };
}
