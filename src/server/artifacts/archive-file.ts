/**
 * One file out of a stored artifact archive, for "download this file" — found by reading the
 * archive up to it (stored archives are gzip streams without an index; artifacts are usually
 * small, and the read streams, so even a large one costs time, not memory).
 */
import { PassThrough, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { extract as tarExtract } from 'tar-stream';
import { archiveEntryProblem, entryPath } from '../../domain/archive-entry.js';

/** Resolves with the file's bytes as a stream (and its size), or null when the archive has no such file. */
export function openArchiveFile(
  archive: Readable,
  wanted: string,
): Promise<{ size: number; stream: Readable } | null> {
  const target = entryPath(wanted);
  const extract = tarExtract();
  const gunzip = createGunzip();
  return new Promise((resolve, reject) => {
    let found = false;
    const stop = () => {
      archive.destroy();
      gunzip.destroy();
    };
    const fail = (error: Error) => {
      stop();
      if (!found) reject(error);
    };
    archive.on('error', fail);
    gunzip.on('error', fail);
    extract.on('error', fail);
    extract.on('entry', (header, stream, next) => {
      // Served files were checked on upload; checked again, as a download must never hand out a link.
      if (
        found ||
        archiveEntryProblem(header.name, header.type) ||
        header.type === 'directory' ||
        entryPath(header.name) !== target
      ) {
        stream.on('end', () => next());
        stream.resume();
        return;
      }
      found = true;
      let ended = false;
      const out = new PassThrough();
      stream.pipe(out);
      stream.on('end', () => {
        ended = true;
        extract.destroy();
        stop();
      });
      out.on('close', () => {
        if (!ended) {
          stream.destroy();
          extract.destroy();
          stop();
        }
      });
      resolve({ size: header.size ?? 0, stream: out });
    });
    extract.on('finish', () => {
      if (!found) resolve(null);
    });
    archive.pipe(gunzip).pipe(extract);
  });
}
