/**
 * The server's side of `include:`: the included files are read from the project's repository at
 * the run's commit — the same commit as `.slipway.yml`, so a run is defined by one commit.
 * Gathered before the (possibly off-thread) parse, which gets them as plain data.
 */
import {
  collectIncludes,
  type Included,
  mayInclude,
  type RepositoryFiles,
} from '../../pipeline/config/include.js';
import { AppError } from '../errors.js';
import type { SourceService } from '../services.js';
import type { ProjectRow } from '../store/tables.js';

/** The files `text` includes, or undefined when it includes nothing. */
export async function includedFiles(
  sources: SourceService,
  project: ProjectRow,
  sha: string,
  file: string,
  text: string,
): Promise<Included | undefined> {
  if (!mayInclude(text)) return undefined;
  return collectIncludes(text, file, commitFiles(sources, project, sha));
}

export function commitFiles(sources: SourceService, project: ProjectRow, sha: string): RepositoryFiles {
  return {
    read: async (path) => {
      try {
        return await sources.readFile(project, sha, path);
      } catch (error) {
        // Too large is the author's to fix and names the limit; a git failure may name server
        // paths, so the author gets a plain sentence (the run's log has the rest).
        if (error instanceof AppError && error.code === 'too_large') throw new Error(error.message);
        throw new Error('the repository could not be read');
      }
    },
    list: async (dir) => {
      try {
        return sources.listFiles ? await sources.listFiles(project, sha, dir) : [];
      } catch {
        throw new Error('the repository could not be read');
      }
    },
  };
}
