/**
 * Unpacks the run's source tar into a host workspace. The archive comes over the network from
 * the repository, so entries are data: tar-fs already refuses paths that leave the workspace
 * and writes through links; on top of that, a symlink pointing outside the workspace and any
 * entry that is not a file, directory or link are skipped (and reported) rather than failing
 * the whole run — the same policy as copy-source.ts for directories.
 */
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract, type Headers } from 'tar-fs';

const KINDS = new Set(['file', 'directory', 'symlink', 'link']);

/** Extracts `tarball` into `workspace`; returns one warning per skipped entry. */
export async function extractArchive(tarball: Readable, workspace: string): Promise<string[]> {
  const root = resolve(workspace);
  const warnings: string[] = [];
  const skip = (path: string, why: string) => {
    warnings.push(`[slipway] skipped "${relative(root, path)}": ${why}`);
    return true;
  };
  const unpack = extract(root, {
    ignore: (path: string, typed?: Headers) => {
      if (!typed) return false;
      // The typings list fewer entry types than tar-stream produces, and no linkname.
      const header = typed as { type: string; linkname?: string | null };
      if (!KINDS.has(header.type)) return skip(path, `it is a ${header.type}, not a file or directory`);
      if (header.type === 'symlink' && header.linkname) {
        const target = resolve(dirname(path), header.linkname);
        if (isAbsolute(header.linkname) || !isInside(root, target))
          return skip(path, 'it is a symlink pointing outside the workspace');
      }
      return false;
    },
  });
  await pipeline(tarball, unpack as unknown as NodeJS.WritableStream);
  return warnings.sort();
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}
