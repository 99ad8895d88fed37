/**
 * Which workspace files an `artifacts:` / `reports:` glob list selects, and which directories
 * to read to find them (the backend reads a directory at a time, so a glob is read from the
 * deepest directory it names literally: `dist/**` reads dist/, not the whole workspace).
 */
import { posix } from 'node:path';
import picomatch from 'picomatch';

/**
 * `$NAME` and `${NAME}` in artifact paths, from the job's variables (unknown ones become empty,
 * as in a shell). The call-site for the pipeline variables expander: when one exists for every
 * field, this is where artifact paths go through it.
 */
export function expandArtifactVariables(text: string, env: Record<string, string>): string {
  return text.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (_m, braced, bare) => {
    return env[(braced ?? bare) as string] ?? '';
  });
}

const GLOB = /[*?[\]{}()!+@]/;

export interface PathSelection {
  /** Directories to read, workspace-relative ('.' = the root), none inside another. */
  roots: string[];
  /** Whether a workspace-relative file path is selected. */
  selects: (path: string) => boolean;
}

export function selectPaths(include: string[], exclude: string[]): PathSelection {
  const clean = (p: string) =>
    posix.normalize(p.replace(/\\/g, '/')).replace(/^\.\//, '').replace(/\/+$/, '') || '.';
  const inc = include.map(clean);
  const exc = exclude.map(clean);
  // A pattern selects what it matches, and everything under a directory it matches (`dist/`).
  const matcher = (patterns: string[]) =>
    patterns.length === 0
      ? () => false
      : picomatch(
          patterns.flatMap((p) => (p === '.' ? ['**'] : [p, `${p}/**`])),
          { dot: true },
        );
  const isIncluded = matcher(inc);
  const isExcluded = matcher(exc);
  const roots = new Set<string>();
  inc.forEach((pattern, i) => {
    const parts = pattern.split('/');
    const literal: string[] = [];
    for (const part of parts) {
      if (GLOB.test(part)) break;
      literal.push(part);
    }
    // A fully literal pattern may name a file or a directory: read its parent, which holds
    // either — unless a trailing slash (`dist/`) says it is a directory.
    const isDirectory = /[\\/]$/.test(include[i] as string);
    if (literal.length === parts.length && !isDirectory) literal.pop();
    roots.add(literal.length === 0 ? '.' : literal.join('/'));
  });
  const sorted = [...roots].sort((a, b) => a.length - b.length);
  const kept: string[] = [];
  for (const root of sorted) {
    if (kept.some((k) => k === '.' || root === k || root.startsWith(`${k}/`))) continue;
    kept.push(root);
  }
  return { roots: kept, selects: (path) => isIncluded(path) && !isExcluded(path) };
}
