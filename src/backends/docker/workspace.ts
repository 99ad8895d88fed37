/**
 * The workspace is a named volume shared by every job of a run. The source is copied in through
 * the archive API of a created-but-never-started container: no shell, no process, nothing in
 * the image needs to work except that it exists.
 */
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import { pack } from 'tar-fs';
import { isNotFound } from './errors.js';
import { LABEL_WORKSPACE, LABEL_WORKSPACE_CREATED, resourceName } from './labels.js';

export function workspaceVolumeName(workspaceId: string): string {
  return resourceName(workspaceId, 'workspace');
}

/** Labels of a workspace volume: the run's, plus what pruning needs (id and creation time). */
export function workspaceLabels(
  runLabels: Record<string, string>,
  workspaceId: string,
  createdAt: number,
): Record<string, string> {
  return { ...runLabels, [LABEL_WORKSPACE]: workspaceId, [LABEL_WORKSPACE_CREATED]: String(createdAt) };
}

/**
 * Creating an existing volume returns it unchanged, which keeps a repeated setupRun harmless.
 * With `bindTo` (a warm set's data directory on the engine's host, warm-pool.ts) the volume is
 * a bind of that directory: same name, labels and removal, the files live in the set's volume.
 */
export async function createWorkspaceVolume(
  docker: Dockerode,
  name: string,
  labels: Record<string, string>,
  bindTo?: string,
): Promise<void> {
  await docker.createVolume({
    Name: name,
    Labels: labels,
    ...(bindTo !== undefined
      ? { Driver: 'local', DriverOpts: { type: 'none', o: 'bind', device: bindTo } }
      : {}),
  });
}

export async function volumeExists(docker: Dockerode, name: string): Promise<boolean> {
  try {
    await docker.getVolume(name).inspect();
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

export interface SourceCopy {
  volume: string;
  /** Any image present on the engine; its contents do not matter. */
  image: string;
  workspacePath: string;
  /** The tar to unpack at `workspacePath`; opened only once the carrier container exists. */
  tar: () => Promise<NodeJS.ReadableStream | Readable>;
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
  let tarball: NodeJS.ReadableStream | Readable | null = null;
  try {
    tarball = await copy.tar();
    await carrier.putArchive(tarball as NodeJS.ReadableStream, { path: copy.workspacePath });
  } finally {
    // A failed upload may leave the source stream open (an HTTP download, say): release it.
    const stream = tarball as { destroy?: () => void; readableEnded?: boolean } | null;
    if (stream && stream.readableEnded !== true) stream.destroy?.();
    await carrier.remove({ force: true });
  }
}

/**
 * A tar of exactly `files`. A listed directory brings its contents (tar-fs recurses), but a
 * path listed explicitly is skipped during that recursion so nothing is sent twice.
 * Missing parent directories are created by the engine when it unpacks.
 */
export function packFiles(dir: string, files: string[]): NodeJS.ReadableStream {
  const listed = new Set(files.map((f) => resolve(dir, f)));
  const tarball = pack(dir, { entries: files, ignore: (path) => listed.has(resolve(path)) });
  // A streamx stream: pipeable like a Node stream (which is all dockerode does), typed apart.
  return tarball as unknown as NodeJS.ReadableStream;
}
