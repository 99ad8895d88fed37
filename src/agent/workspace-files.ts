/**
 * Walks the workspace files a path selection picks (artifact-paths.ts), reading each root
 * directory's tar from the backend once, in order, entry by entry: memory stays at one entry's
 * stream, whatever the workspace holds.
 */
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import type { Backend } from '../backends/backend.js';
import { archiveEntryProblem, entryPath } from '../domain/archive-entry.js';
import type { PathSelection } from './artifact-paths.js';

export interface WorkspaceEntry {
  /** Workspace-relative path. */
  path: string;
  type: 'file' | 'directory';
  size: number;
  mode: number;
  mtime: Date | undefined;
  /** The file's bytes; must be read to the end (or resumed) before the next entry comes. */
  stream: Readable;
}

/**
 * Calls `onEntry` for each selected file and directory; links and special files that are
 * selected are reported to `onRefused` (with why) and skipped. A path seen under two roots comes once.
 */
export async function walkSelected(
  backend: Backend,
  runId: string,
  selection: PathSelection,
  onEntry: (entry: WorkspaceEntry) => Promise<void>,
  onRefused: (why: string) => void,
): Promise<void> {
  if (!backend.readWorkspace)
    throw new Error(`the ${backend.name} backend cannot read files out of a workspace`);
  const seen = new Set<string>();
  for (const root of selection.roots) {
    const tar = await backend.readWorkspace(runId, root);
    if (!tar) continue;
    const ex = extract();
    ex.on('entry', (header, stream, next) => {
      const relative = entryPath(header.name);
      const path = root === '.' ? relative : relative === '' ? root : posix.join(root, relative);
      const skip = () => {
        stream.on('end', () => next());
        stream.resume();
      };
      if (path === '' || path === '.' || seen.has(path) || !selection.selects(path)) return skip();
      seen.add(path);
      const problem = archiveEntryProblem(path, header.type);
      if (problem) {
        onRefused(problem);
        return skip();
      }
      const type = header.type === 'directory' ? 'directory' : 'file';
      let ended = false;
      stream.on('end', () => {
        ended = true;
      });
      const entry: WorkspaceEntry = {
        path,
        type,
        size: header.size ?? 0,
        mode: header.mode ?? 0o644,
        mtime: header.mtime,
        stream: stream as unknown as Readable,
      };
      onEntry(entry).then(
        () => {
          // Whatever the callback left unread is skipped before the next entry.
          if (ended) return next();
          stream.on('end', () => next());
          stream.resume();
        },
        (error: unknown) => ex.destroy(error instanceof Error ? error : new Error(String(error))),
      );
    });
    await new Promise<void>((resolve, reject) => {
      ex.on('finish', resolve);
      ex.on('error', reject);
      tar.on('error', reject);
      tar.pipe(ex);
    });
  }
}

/** Reads a whole (small) entry into memory, refusing one over `max` bytes. */
export async function readEntry(entry: WorkspaceEntry, max: number): Promise<Buffer | null> {
  if (entry.size > max) {
    entry.stream.resume();
    await new Promise((resolve) => entry.stream.on('end', resolve));
    return null;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of entry.stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
