/**
 * Copies the run's source files into a host workspace. The list of files comes from the
 * repository, so a path or symlink in it may point anywhere on this machine; whatever resolves
 * outside the source directory is skipped (and reported) rather than copied into the workspace.
 */
import { cp, lstat, readlink, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** Files copied at once: enough to overlap I/O, few enough to stay clear of fd limits. */
const PARALLEL = 8;

/** Copies `files` (relative to `sourceDir`) into `workspace`; returns one warning per skipped path. */
export async function copySource(
  sourceDir: string,
  files: readonly string[],
  workspace: string,
): Promise<string[]> {
  const root = await realpath(sourceDir);
  const warnings: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < files.length) await copyOne(root, files[next++]!, workspace, warnings);
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return warnings.sort();
}

async function copyOne(root: string, file: string, workspace: string, warnings: string[]): Promise<void> {
  const skip = (path: string, why: string) => warnings.push(`[slipway] skipped "${path}": ${why}`);
  const source = resolve(root, file);
  const problem =
    isAbsolute(file) || !isInside(root, source)
      ? 'it is outside the source directory'
      : await whyNotCopy(root, source);
  if (problem) {
    skip(file, problem);
    return;
  }
  await cp(source, join(workspace, relative(root, source)), {
    recursive: true,
    // Links are copied as links (like the Docker backend's tar), once checked below.
    verbatimSymlinks: true,
    // A listed directory is walked by cp; each entry inside it gets the same check.
    filter: async (path) => {
      if (path === source) return true;
      const why = await whyNotCopy(root, path);
      if (why) skip(relative(root, path), why);
      return why === null;
    },
  });
}

/** Why `path` (lexically inside `root`) must not be copied, or null when it may. */
async function whyNotCopy(root: string, path: string): Promise<string | null> {
  let parent: string;
  try {
    parent = await realpath(dirname(path));
  } catch {
    return 'it does not exist';
  }
  // A symlinked directory on the way makes the path resolve elsewhere.
  if (!isInside(root, parent)) return 'it is outside the source directory (through a symlink)';
  const stats = await lstat(path).catch(() => null);
  if (!stats) return 'it does not exist';
  if (stats.isSymbolicLink()) {
    const target = resolve(parent, await readlink(path));
    // Resolve the target's own links too; a dangling link is judged by where it points.
    const real = await realpath(target).catch(() => target);
    return isInside(root, real) ? null : 'it is a symlink pointing outside the source directory';
  }
  if (!stats.isFile() && !stats.isDirectory()) return 'it is not a regular file or directory';
  return null;
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}
