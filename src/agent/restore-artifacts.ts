/**
 * Before the first job of an execution that continues earlier work (a run re-queued after its
 * agent was lost, a resume on another agent): the artifacts the server lists in the lease are
 * downloaded and unpacked into the fresh workspace, so the jobs that follow find them. Each
 * archive is checked entry by entry on the way in (no links, nothing outside the workspace).
 */
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { extract, pack } from 'tar-stream';
import type { Backend } from '../backends/backend.js';
import { archiveEntryProblem } from '../domain/archive-entry.js';
import type { AgentTransport } from '../protocol/agent-transport.js';
import type { ArtifactSource } from '../protocol/artifact-protocol.js';

export async function restoreArtifacts(
  transport: AgentTransport,
  backend: Backend,
  lease: { leaseId: string; runId: string },
  sources: readonly ArtifactSource[],
  log: (message: string) => void,
): Promise<void> {
  if (sources.length === 0) return;
  if (!transport.downloadArtifacts || !backend.writeWorkspace)
    throw new Error(
      'earlier jobs left artifacts, but this agent cannot restore them (transport or backend lacks it)',
    );
  for (const source of sources) {
    const archive = await transport.downloadArtifacts(lease.leaseId, source);
    try {
      await backend.writeWorkspace(lease.runId, checkedTar(archive));
    } catch (error) {
      archive.destroy();
      throw new Error(
        `could not restore the artifacts of job "${source.job}": ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    log(`restored the artifacts of job "${source.job}"`);
  }
}

/** The tar inside `gzipped`, re-packed entry by entry; fails at the first entry that is not a plain file or directory. */
function checkedTar(gzipped: Readable): Readable {
  const ex = extract();
  const out = pack();
  const fail = (error: Error) => {
    ex.destroy(error);
    out.destroy(error);
  };
  ex.on('entry', (header, stream, next) => {
    const problem = archiveEntryProblem(header.name, header.type);
    if (problem) {
      stream.resume();
      fail(new Error(problem));
      return;
    }
    stream.pipe(out.entry(header, (error) => next(error ?? undefined)) as unknown as NodeJS.WritableStream);
  });
  ex.on('finish', () => out.finalize());
  ex.on('error', fail);
  const gunzip = createGunzip();
  gunzip.on('error', fail);
  gzipped.on('error', fail);
  gzipped.pipe(gunzip).pipe(ex as unknown as NodeJS.WritableStream);
  return out as unknown as Readable;
}
