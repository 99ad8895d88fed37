/**
 * `slipway lint` and `slipway exec` load the pipeline file from a working directory: the file
 * itself, plus the files its `include:` names, read from the same directory (the repository
 * root, as the server reads them from the commit). Globs match the files git would commit
 * (workingTreeFiles), so ignored build output is never included by accident.
 */
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { collectIncludes, mayInclude, type RepositoryFiles } from '../pipeline/config/include.js';
import { type LoadResult, loadConfig } from '../pipeline/config/load-config.js';
import { DEFAULT_MAX_BYTES } from '../pipeline/config/parse-yaml.js';
import { workingTreeFiles } from './git-info.js';

export interface LoadedPipelineFile extends LoadResult {
  /** Text of every file diagnostics may name (the file and what it included), for excerpts. */
  sources: Record<string, string>;
}

export async function loadPipelineFile(
  text: string,
  file: string,
  root: string,
): Promise<LoadedPipelineFile> {
  const sources: Record<string, string> = { [file]: text };
  if (!mayInclude(text)) return { ...loadConfig(text, file), sources };
  const included = await collectIncludes(text, file, directoryFiles(root));
  for (const f of included.files) sources[f.file] = f.text;
  return { ...loadConfig(text, file, { included }), sources };
}

export function directoryFiles(root: string): RepositoryFiles {
  let listing: Promise<string[]> | null = null;
  return {
    read: async (path) => {
      try {
        return await readBounded(join(root, path), DEFAULT_MAX_BYTES);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return null;
        throw error;
      }
    },
    list: async (dir) => {
      listing ??= workingTreeFiles(root);
      const prefix = dir === '' ? '' : `${dir.replace(/\/+$/, '')}/`;
      return (await listing).filter((p) => p.startsWith(prefix));
    },
  };
}

/**
 * At most `limit + 1` bytes: enough for the loader to say the file is over its limit without
 * reading a huge one whole.
 */
export async function readBounded(path: string, limit: number): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(limit + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    // TextDecoder drops a leading BOM, which would otherwise shift every column of line 1.
    return new TextDecoder('utf-8').decode(buffer.subarray(0, length));
  } finally {
    await handle.close();
  }
}
