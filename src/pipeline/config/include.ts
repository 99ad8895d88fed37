/**
 * `include:` — other files of the same repository at the same commit, found before the config
 * is loaded (loading itself is synchronous and may run in a worker thread, so the files are
 * gathered first and handed over as plain data).
 *
 *   include: ci/*.yml                    a path or a glob (picomatch), from the repository root
 *   include: [ci/build.yml, ci/test.yml]
 *   include: { local: ci/test.yml }      GitLab's form
 *
 * Included files may include others (depth and count are bounded: each file costs a read and a
 * parse of untrusted text). Remote, project and template includes are refused with a clear
 * error: the config of a commit must be what that commit holds. Order: a file's own includes
 * come before it, so a file overrides what it includes; a file included twice counts once.
 */
import picomatch from 'picomatch';
import { isPlainMap } from './deep-merge.js';
import type { Diagnostic } from './diagnostic.js';
import { type ConfigPath, createLocator } from './locate.js';
import { parseYaml } from './parse-yaml.js';
import { type Site, type SourceFile, siteDiagnostic } from './source-map.js';

/** How deep includes may nest (the loaded file including one that includes one …). */
export const MAX_INCLUDE_DEPTH = 4;
/** Most files a pipeline may include in all. */
export const MAX_INCLUDE_FILES = 32;
/** Most text all included files may hold together: the budget of one pipeline file. */
export const MAX_INCLUDE_CHARS = 1024 * 1024;

/** Where include: reads from: the repository at the run's commit, or a working directory. */
export interface RepositoryFiles {
  /** The text of a repository-relative path, or null when there is no such file. */
  read(path: string): Promise<string | null>;
  /** Every file under `dir` (repository-relative, '' for the root), as repository-relative paths. */
  list(dir: string): Promise<string[]>;
}

export interface IncludedFile {
  /** Repository-relative path; the `file` of diagnostics about it. */
  file: string;
  text: string;
}

/** Plain data (it crosses to the parser thread): the files, in merge order, and the problems. */
export interface Included {
  files: IncludedFile[];
  diagnostics: Diagnostic[];
}

/** Quick test before any parsing: most configs include nothing and pay nothing for it. */
export function mayInclude(text: string): boolean {
  return /^include[ \t]*:/m.test(text);
}

export async function collectIncludes(text: string, file: string, repo: RepositoryFiles): Promise<Included> {
  const files: IncludedFile[] = [];
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>([normalize(file) ?? file]);
  let chars = 0;

  const visit = async (source: SourceFile, depth: number): Promise<void> => {
    if (!isPlainMap(source.value) || source.value.include === undefined) return;
    for (const entry of entries(source.value.include)) {
      const site: Site = { source, path: entry.path };
      const report = (code: string, message: string) =>
        diagnostics.push(siteDiagnostic(site, [], code, message));
      if (entry.remote) {
        report(
          'include-remote',
          `only files of this repository can be included (${entry.remote}); copy the file into the repository and include its path`,
        );
        continue;
      }
      const path = normalize(entry.spec);
      if (path === null) {
        report(
          'include-outside',
          `include "${entry.spec}" leads outside the repository; give a path from its root`,
        );
        continue;
      }
      if (depth >= MAX_INCLUDE_DEPTH) {
        report(
          'include-too-deep',
          `includes nest more than ${MAX_INCLUDE_DEPTH} levels deep at "${entry.spec}"`,
        );
        continue;
      }
      let matches: string[];
      try {
        matches = await resolvePaths(path, repo);
      } catch (error) {
        report('include-unreadable', `cannot list the files for "${entry.spec}": ${reason(error)}`);
        continue;
      }
      if (matches.length === 0) {
        report('include-not-found', `include "${entry.spec}" matches no file of the repository`);
        continue;
      }
      for (const match of matches) {
        if (seen.has(match)) continue;
        seen.add(match);
        if (seen.size - 1 > MAX_INCLUDE_FILES) {
          report('include-too-many', `more than ${MAX_INCLUDE_FILES} files are included; merge some of them`);
          return;
        }
        let content: string | null;
        try {
          content = await repo.read(match);
        } catch (error) {
          report('include-unreadable', `cannot read included file ${match}: ${reason(error)}`);
          continue;
        }
        if (content === null) {
          report('include-not-found', `included file ${match} does not exist`);
          continue;
        }
        chars += content.length;
        if (chars > MAX_INCLUDE_CHARS) {
          report(
            'include-too-large',
            `the included files hold more than ${MAX_INCLUDE_CHARS} characters together; include fewer or smaller files`,
          );
          return;
        }
        const parsed = parseYaml(content, match);
        // Problems in the file itself are reported when it is loaded; only its includes matter here.
        if (parsed.diagnostics.length === 0) {
          const child = {
            file: match,
            value: parsed.value,
            locate: createLocator(parsed.doc, parsed.lineCounter),
          };
          await visit(child, depth + 1);
        }
        files.push({ file: match, text: content });
      }
    }
  };

  const parsed = parseYaml(text, file);
  if (parsed.diagnostics.length === 0) {
    await visit({ file, value: parsed.value, locate: createLocator(parsed.doc, parsed.lineCounter) }, 0);
  }
  return { files, diagnostics };
}

interface Entry {
  spec: string;
  path: ConfigPath;
  /** Set for a remote, project or template include: what it names. */
  remote?: string;
}

/** The include entries that name something; malformed ones are left to the schema check. */
function entries(include: unknown): Entry[] {
  const one = (item: unknown, path: ConfigPath): Entry[] => {
    if (typeof item === 'string') {
      return /^[a-z][a-z0-9+.-]*:\/\//i.test(item)
        ? [{ spec: item, path, remote: item }]
        : [{ spec: item, path }];
    }
    if (!isPlainMap(item)) return [];
    for (const key of ['remote', 'project', 'template', 'component']) {
      if (typeof item[key] === 'string')
        return [{ spec: item[key], path: [...path, key], remote: `${key}: ${item[key]}` }];
    }
    return typeof item.local === 'string' ? one(item.local, [...path, 'local']) : [];
  };
  return Array.isArray(include)
    ? include.flatMap((item, k) => one(item, ['include', k]))
    : one(include, ['include']);
}

/** A repository-relative path without `./` or a leading `/`; null when `..` climbs out. */
function normalize(spec: string): string | null {
  const out: string[] = [];
  for (const segment of spec.replaceAll('\\', '/').split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (out.length === 0) return null;
      out.pop();
    } else out.push(segment);
  }
  return out.length === 0 ? null : out.join('/');
}

/** A plain path as it is; a glob → the matching files, sorted (the order they merge in). */
async function resolvePaths(path: string, repo: RepositoryFiles): Promise<string[]> {
  const scan = picomatch.scan(path);
  if (!scan.isGlob) return [path];
  const matcher = picomatch(path, { dot: false });
  const listed = await repo.list(scan.base);
  return listed.filter((p) => matcher(p)).sort();
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Parsed included files as sources for the loader. */
export function includedSources(included: Included): { sources: SourceFile[]; diagnostics: Diagnostic[] } {
  const sources: SourceFile[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const { file, text } of included.files) {
    const parsed = parseYaml(text, file);
    diagnostics.push(...parsed.diagnostics);
    if (parsed.diagnostics.length > 0) continue;
    sources.push({ file, value: parsed.value, locate: createLocator(parsed.doc, parsed.lineCounter) });
  }
  return { sources, diagnostics };
}
