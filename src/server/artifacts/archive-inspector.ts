/**
 * Reads an uploaded artifact archive (tar.gz) as it streams past, without holding it: every
 * entry is checked (domain/archive-entry.ts) and the regular files are listed. The bytes
 * themselves go to disk untouched; this only watches a copy of the stream.
 */
import { Writable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { extract as tarExtract } from 'tar-stream';
import { archiveEntryProblem, entryPath } from '../../domain/archive-entry.js';

export interface ArchiveListing {
  entries: { path: string; size: number }[];
  /** Regular files in all (entries may be cut at the listing cap). */
  files: number;
}

/** Entries remembered for the run page; a bigger archive still stores, listed in part. */
const LISTING_CAP = 10_000;

export class UnsafeArchiveError extends Error {}

/**
 * A writable to tee the upload into. `done` resolves with the listing once the archive ended
 * cleanly, and rejects with UnsafeArchiveError for a refused entry or a malformed archive.
 */
export function archiveInspector(): { sink: Writable; done: Promise<ArchiveListing> } {
  const gunzip = createGunzip();
  const extract = tarExtract();
  const listing: ArchiveListing = { entries: [], files: 0 };
  const done = new Promise<ArchiveListing>((resolve, reject) => {
    const fail = (error: Error) => {
      reject(
        error instanceof UnsafeArchiveError
          ? error
          : new UnsafeArchiveError(`not a tar.gz archive: ${error.message}`),
      );
      gunzip.destroy();
      extract.destroy();
    };
    gunzip.on('error', fail);
    extract.on('error', fail);
    extract.on('entry', (header, stream, next) => {
      const problem = archiveEntryProblem(header.name, header.type);
      if (problem) {
        stream.resume();
        fail(new UnsafeArchiveError(problem));
        return;
      }
      if (header.type !== 'directory') {
        listing.files++;
        if (listing.entries.length < LISTING_CAP)
          listing.entries.push({ path: entryPath(header.name), size: header.size ?? 0 });
      }
      stream.on('end', () => next());
      stream.resume();
    });
    extract.on('finish', () => resolve(listing));
  });
  done.catch(() => {});
  gunzip.pipe(extract);
  // The tee's far side: writes wait for the inspector (backpressure), errors end nothing here —
  // they surface through `done`, which the receiver awaits.
  const sink = new Writable({
    write(chunk: Buffer, _enc, callback) {
      if (gunzip.destroyed) return callback();
      if (gunzip.write(chunk)) return callback();
      // A gunzip destroyed while we wait (a refused entry) never drains: close releases us too.
      const resume = () => {
        gunzip.off('drain', resume);
        gunzip.off('close', resume);
        callback();
      };
      gunzip.on('drain', resume);
      gunzip.on('close', resume);
    },
    final(callback) {
      if (!gunzip.destroyed) gunzip.end();
      callback();
    },
  });
  return { sink, done };
}
