/**
 * Checks a cache archive from the server before any of it reaches a volume. An archive holds
 * one top-level directory per cached path (`0/…`, `1/…`); every entry must stay inside its
 * own, and every link must point inside the path it is restored to. Absolute names, `..`,
 * devices, and links leaving the cache are refused: the stream fails with the entry's name,
 * and the half-filled volumes are dropped by the caller (nothing is committed).
 */
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { extract, pack } from 'tar-stream';

export class CacheArchiveRefused extends Error {}

const ALLOWED_TYPES = new Set(['file', 'directory', 'symlink', 'link', 'contiguous-file']);

export interface CheckedArchive {
  tar: Readable;
  /** Why the archive was cut short (a refused entry, a broken download); null when whole. */
  failure(): Error | null;
}

/**
 * The archive, re-packed entry by entry after each passed the checks (names normalised to
 * `<index>/…`). `paths[i]` is where directory `i` is restored: symlinks are judged against it.
 * A refusal (or a source that breaks) ends the re-packed tar early but cleanly — a consumer
 * that pipes it into an HTTP request (the engine's archive API) would otherwise wait forever —
 * and `failure()` says why: the caller must then throw away what was unpacked.
 */
export function checkedCacheArchive(source: Readable, paths: string[]): CheckedArchive {
  const out = pack();
  const ex = extract();
  let failure: Error | null = null;
  const stop = (error: Error) => {
    if (failure) return;
    failure = error;
    source.unpipe(ex);
    source.destroy();
    ex.destroy();
    out.finalize();
  };
  ex.on('entry', (header, stream, next) => {
    let problem: string | null;
    let name = '';
    try {
      const checked = checkEntry(header, paths);
      problem = checked.problem;
      name = checked.name;
    } catch (err) {
      problem = err instanceof Error ? err.message : String(err);
    }
    if (problem !== null) {
      stream.resume();
      stop(new CacheArchiveRefused(`entry ${JSON.stringify(header.name)}: ${problem}`));
      return;
    }
    if (name === '') {
      // The archive's own root (`./`): nothing to write.
      stream.on('end', () => next());
      stream.resume();
      return;
    }
    const entry = out.entry({ ...header, name: header.type === 'directory' ? `${name}/` : name }, (err) =>
      next(err ?? undefined),
    );
    stream.pipe(entry);
  });
  ex.on('finish', () => {
    if (!failure) out.finalize();
  });
  ex.on('error', (err: Error) => stop(new CacheArchiveRefused(`not a readable tar: ${err.message}`)));
  source.on('error', (err: Error) => stop(err));
  source.pipe(ex);
  return { tar: out as unknown as Readable, failure: () => failure };
}

interface EntryHeader {
  name: string;
  type?: string | null;
  linkname?: string | null;
}

/** The entry's normalised name (`''` for the root), or why it is refused. */
export function checkEntry(header: EntryHeader, paths: string[]): { name: string; problem: string | null } {
  const raw = header.name;
  if (raw.startsWith('/')) return { name: '', problem: 'absolute names are not allowed' };
  const parts = raw.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) return { name: '', problem: '".." is not allowed' };
  const name = parts.join('/');
  const type = header.type ?? 'file';
  if (name === '') {
    return { name, problem: type === 'directory' ? null : 'the archive root must be a directory' };
  }
  const index = Number(parts[0]);
  if (!/^\d+$/.test(parts[0] as string) || index >= paths.length) {
    return { name, problem: `not inside a cached directory (0…${paths.length - 1})` };
  }
  if (!ALLOWED_TYPES.has(type)) return { name, problem: `a ${type} entry is not allowed in a cache` };
  if (parts.length === 1 && type !== 'directory')
    return { name, problem: 'a cached directory must be a directory' };
  const root = paths[index] as string;
  const inside = (target: string) => target === root || target.startsWith(`${root}/`);
  if (type === 'symlink') {
    const link = header.linkname ?? '';
    if (link === '') return { name, problem: 'a link without a target' };
    const here = posix.join(root, ...parts.slice(1));
    const target = posix.resolve(posix.dirname(here), link);
    if (!inside(target)) return { name, problem: `the link points outside ${root} (to ${link})` };
  }
  if (type === 'link') {
    const linkParts = (header.linkname ?? '').split('/').filter((p) => p !== '' && p !== '.');
    if (
      (header.linkname ?? '').startsWith('/') ||
      linkParts.includes('..') ||
      linkParts[0] !== parts[0] ||
      linkParts.length < 2
    ) {
      return { name, problem: `the hard link points outside its cached directory (to ${header.linkname})` };
    }
  }
  return { name, problem: null };
}
