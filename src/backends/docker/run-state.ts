import type { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import { WorkspaceReader } from './build-context.js';
import { ensureCarrierImage } from './carrier-image.js';
import type { ImageStatus } from './images.js';
import { resourceLabels } from './labels.js';
import type { RunWarmth } from './warm-pools.js';
import { copySourceIntoVolume } from './workspace.js';

/** What the backend remembers between setupRun and destroyRun. */
export interface RunState {
  runId: string;
  labels: Record<string, string>;
  volume: string;
  /** Why the workspace lacks the source, when it could not be copied; jobs then fail. */
  workspaceProblem: string | null;
  /** One check (and at most one pull) per image per run, shared by concurrent jobs. */
  images: Map<string, Promise<ImageStatus>>;
  /** Job containers being removed in the background, by container name. */
  removals: Map<string, Promise<void>>;
  /** The helper container build jobs read their context through; opened once per run. */
  reader: Promise<WorkspaceReader> | null;
  workspacePath: string;
  /** The warm set it claimed and what its jobs used (null: fresh containers only). */
  warm: RunWarmth | null;
}

/** The run's workspace reader, created on first use; a failed creation is not remembered. */
export function workspaceReaderOf(docker: Dockerode, state: RunState): Promise<WorkspaceReader> {
  state.reader ??= ensureCarrierImage(docker)
    .then((image) =>
      WorkspaceReader.open(docker, {
        volume: state.volume,
        image,
        workspacePath: state.workspacePath,
        labels: resourceLabels(state.runId, state.labels),
      }),
    )
    .catch((err: unknown) => {
      state.reader = null;
      throw err;
    });
  return state.reader;
}

/** Unpacks `tar` into the run's workspace through a never-started carrier container. */
export async function writeIntoWorkspace(docker: Dockerode, state: RunState, tar: Readable): Promise<void> {
  await copySourceIntoVolume(docker, {
    volume: state.volume,
    image: await ensureCarrierImage(docker),
    workspacePath: state.workspacePath,
    tar: async () => tar,
    labels: resourceLabels(state.runId, state.labels),
  });
}

/** The promise's value, or null as soon as the signal aborts (the promise itself runs on). */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | null> {
  if (signal.aborted) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => resolve(null);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
