/**
 * The workspace is a named volume shared by every job of a run. The source is copied in through
 * the archive API of a created-but-never-started container: no shell, no process, nothing in
 * the image needs to work except that it exists.
 */
import { resolve } from 'node:path';
import type Dockerode from 'dockerode';
import { pack } from 'tar-fs';
import { resourceName } from './labels.js';

export function workspaceVolumeName(runId: string): string {
  return resourceName(runId, 'workspace');
}

/** Creating an existing volume returns it unchanged, which keeps a repeated setupRun harmless. */
export async function createWorkspaceVolume(
  docker: Dockerode,
  name: string,
  labels: Record<string, string>,
): Promise<void> {
  await docker.createVolume({ Name: name, Labels: labels });
}

export interface SourceCopy {
  volume: string;
  /** Any image present on the engine; its contents do not matter. */
  image: string;
  workspacePath: string;
  /** Directory on this machine and the paths (relative to it) to copy. */
  dir: string;
  files: string[];
  labels: Record<string, string>;
}

export async function copySourceIntoVolume(docker: Dockerode, copy: SourceCopy): Promise<void> {
  const carrier = await docker.createContainer({
    Image: copy.image,
    // Never started; the engine only insists on a command when the image has none.
    Entrypoint: ['/bin/true'],
    Labels: copy.labels,
    NetworkDisabled: true,
    HostConfig: { Mounts: [{ Type: 'volume', Source: copy.volume, Target: copy.workspacePath }] },
  });
  try {
    await carrier.putArchive(packFiles(copy.dir, copy.files), { path: copy.workspacePath });
  } finally {
    await carrier.remove({ force: true });
  }
}

/**
 * A tar of exactly `files`. A listed directory brings its contents (tar-fs recurses), but a
 * path listed explicitly is skipped during that recursion so nothing is sent twice.
 * Missing parent directories are created by the engine when it unpacks.
 */
function packFiles(dir: string, files: string[]): NodeJS.ReadableStream {
  const listed = new Set(files.map((f) => resolve(dir, f)));
  const tarball = pack(dir, { entries: files, ignore: (path) => listed.has(resolve(path)) });
  // A streamx stream: pipeable like a Node stream (which is all dockerode does), typed apart.
  return tarball as unknown as NodeJS.ReadableStream;
}
