/**
 * `slipway artifacts <run> [--job J] [-o DIR]`: downloads a run's artifacts and unpacks them
 * into DIR (default: the current directory), each job's files at their workspace paths. Every
 * entry is checked before anything is written (no links, nothing outside DIR), whatever the
 * server sent. `--list` prints what there is instead.
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { parseArgs } from 'node:util';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { archiveEntryProblem, entryPath } from '../../domain/archive-entry.js';
import { formatByteSize } from '../../domain/byte-size.js';
import type { CliIO } from '../exec.js';
import { UsageError } from '../usage-error.js';
import { clientFrom, projectFrom, runNumber } from './context.js';

export const ARTIFACTS_USAGE = `usage: slipway artifacts RUN [--job JOB] [-o DIR] [--project P] [--list]
  downloads the run's artifacts (every job's, or --job's) and unpacks them into DIR (default .)`;

interface ArtifactList {
  artifacts: { job: string; name: string; size: number; files: number; entries: { path: string }[] }[];
}

export async function artifactsCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      job: { type: 'string' },
      output: { type: 'string', short: 'o' },
      project: { type: 'string' },
      list: { type: 'boolean' },
    },
  });
  const project = projectFrom(values.project, io);
  const number = runNumber(positionals[0]);
  const client = clientFrom(io);
  const base = `/api/projects/${encodeURIComponent(project)}/runs/${number}`;
  const { artifacts } = await client.request<ArtifactList>('GET', `${base}/artifacts`);
  const chosen = values.job ? artifacts.filter((a) => a.job === values.job) : artifacts;
  if (values.job && chosen.length === 0)
    throw new UsageError(
      `job "${values.job}" of run #${number} kept no artifacts (jobs with artifacts: ${artifacts.map((a) => a.job).join(', ') || 'none'})`,
    );
  if (values.list) {
    for (const a of chosen) {
      io.stdout(`${a.job}: ${a.files} files, ${formatByteSize(a.size)}\n`);
      for (const e of a.entries) io.stdout(`  ${e.path}\n`);
    }
    return 0;
  }
  const out = resolve(io.cwd, values.output ?? '.');
  for (const a of chosen) {
    const res = await client.stream(`${base}/artifacts/${encodeURIComponent(a.job)}/archive`);
    if (!res.body) throw new Error('the server sent no archive');
    const written = await unpack(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), out);
    io.stdout(`${a.job}: ${written} files → ${out}\n`);
  }
  if (chosen.length === 0) io.stdout(`run #${number} kept no artifacts\n`);
  return 0;
}

/** Unpacks a tar.gz into `dir`, refusing any entry that is not a plain file or directory inside it. */
export async function unpack(archive: Readable, dir: string): Promise<number> {
  const root = resolve(dir);
  const ex = extract();
  let files = 0;
  const done = new Promise<void>((resolvePromise, reject) => {
    ex.on('entry', (header, stream, next) => {
      const problem = archiveEntryProblem(header.name, header.type);
      const target = resolve(root, entryPath(header.name));
      if (problem || (target !== root && !target.startsWith(`${root}${sep}`))) {
        stream.resume();
        ex.destroy(new Error(problem ?? `archive entry ${JSON.stringify(header.name)} leaves ${root}`));
        return;
      }
      const write = async () => {
        if (header.type === 'directory') {
          await mkdir(target, { recursive: true });
          stream.resume();
          return;
        }
        await mkdir(dirname(target), { recursive: true });
        await pipeline(stream as unknown as Readable, createWriteStream(join(target)));
        files++;
      };
      write().then(
        () => next(),
        (error: Error) => ex.destroy(error),
      );
    });
    ex.on('finish', () => resolvePromise());
    ex.on('error', reject);
  });
  await Promise.all([pipeline(archive, createGunzip(), ex as unknown as NodeJS.WritableStream), done]);
  return files;
}
