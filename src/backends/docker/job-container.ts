/**
 * One job container: create, attach, start, wait. Removal is the caller's, so that it can be
 * taken off the critical path.
 */
import type { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import type { JobResources } from '../../domain/job-resources.js';
import { writeSystemLine } from '../../domain/system-line-codes.js';
import type { JobOutcome, JobOutput } from '../backend.js';
import { Demuxer } from './demux.js';
import { describeError, engineMessage, statusOf } from './errors.js';
import { confinement } from './hardening.js';

export interface JobContainerSpec {
  name: string;
  image: string;
  script: string;
  env: Record<string, string>;
  workspacePath: string;
  volume: string;
  /** The job's own network when it has services; the engine's default bridge otherwise. */
  network: string | null;
  labels: Record<string, string>;
  graceMs: number;
  resources: JobResources;
  /** Volumes mounted besides the workspace (caches), by absolute target. */
  mounts?: { volume: string; target: string }[];
}

export interface JobContainerResult {
  outcome: JobOutcome;
  /** Set once created, whatever happened next: the caller must remove it. */
  container: Dockerode.Container | null;
}

/**
 * How long output may trail the container's exit without any progress before we stop waiting
 * for it. Time spent paused because the log receiver is busy (backpressure) does not count.
 */
const DRAIN_LIMIT_MS = 5000;

export async function runJobContainer(
  docker: Dockerode,
  spec: JobContainerSpec,
  output: JobOutput,
  signal: AbortSignal,
): Promise<JobContainerResult> {
  let container: Dockerode.Container | null = null;
  let step = 'creating the job container';
  try {
    container = await docker.createContainer(containerOptions(spec));
    if (signal.aborted) return { outcome: { kind: 'aborted' }, container };

    // Attach before start: the engine buffers nothing for late attachers, so output written
    // between start and attach would be lost.
    step = 'attaching to the job container';
    // Without hijack, dockerode hands back the HTTP response itself: a Readable.
    const attached = await container.attach({ stream: true, stdout: true, stderr: true });
    const stream = attached as unknown as Readable;
    const delivered = deliver(stream, output);
    if (signal.aborted) {
      stream.destroy();
      return { outcome: { kind: 'aborted' }, container };
    }

    step = 'starting the job container';
    await container.start();
    const stopper = stopOnAbort(container, spec.graceMs, signal, output);
    try {
      step = 'waiting for the job container';
      const exit = (await container.wait()) as { StatusCode: number };
      await drain(stream, delivered, output);
      if (stopper.stopped) return { outcome: { kind: 'aborted' }, container };
      return { outcome: { kind: 'exited', exitCode: exit.StatusCode }, container };
    } finally {
      stopper.dispose();
    }
  } catch (err) {
    return { outcome: { kind: 'backend_error', message: describeError(step, err) }, container };
  }
}

/** Also the base of a warm container's options (warm-pool.ts): both must confine alike. */
export function containerOptions(spec: JobContainerSpec): Dockerode.ContainerCreateOptions {
  return {
    name: spec.name,
    Image: spec.image,
    // The script is one argv element, never spliced into a command line; untrusted values
    // reach it only through the environment.
    Entrypoint: ['/bin/sh', '-c'],
    Cmd: [spec.script],
    Env: Object.entries(spec.env).map(([key, value]) => `${key}=${value}`),
    WorkingDir: spec.workspacePath,
    Labels: spec.labels,
    Tty: false,
    AttachStdout: true,
    AttachStderr: true,
    HostConfig: {
      // No new privileges, few capabilities, memory and process limits (hardening.ts).
      ...confinement(spec.resources),
      // An init as PID 1 forwards SIGTERM to sh; sh as PID 1 would ignore it and every abort
      // would wait out the grace period.
      Init: true,
      Mounts: [
        { Type: 'volume', Source: spec.volume, Target: spec.workspacePath },
        ...(spec.mounts ?? []).map((m) => ({ Type: 'volume' as const, Source: m.volume, Target: m.target })),
      ],
      ...(spec.network ? { NetworkMode: spec.network } : {}),
    },
  };
}

/** How the delivery of a job's output goes: for the drain's judgement of a stuck stream. */
export interface Delivery {
  /** Resolves when the stream is over, however it ends. */
  done: Promise<void>;
  /** When output last moved, or now while paused for the receiver. */
  lastProgress: () => number;
}

/**
 * Feeds the attach stream to the output. While the output is not ready for more (backpressure
 * from the log shipping), the stream is paused: the engine stops reading the container's pipe,
 * and the job's writes block, rather than its output piling up in this process.
 */
export function deliver(stream: Readable, output: JobOutput): Delivery {
  const demuxer = new Demuxer((name, chunk) => output.write(name, chunk));
  let last = Date.now();
  let paused = false;
  const done = new Promise<void>((resolve) => {
    stream.on('data', (chunk: Buffer) => {
      last = Date.now();
      demuxer.push(chunk);
      const wait = output.ready?.();
      if (!wait) return;
      paused = true;
      stream.pause();
      const resume = () => {
        paused = false;
        last = Date.now();
        stream.resume();
      };
      wait.then(resume, resume);
    });
    stream.on('end', () => {
      if (demuxer.truncated)
        writeSystemLine(
          output,
          'job.output_truncated',
          {},
          "the job's output ended in the middle of a frame",
        );
      resolve();
    });
    stream.on('close', resolve);
    stream.on('error', (err) => {
      writeSystemLine(
        output,
        'job.output_failed',
        { detail: err.message },
        `reading the job's output failed: ${err.message}`,
      );
      resolve();
    });
  });
  return { done, lastProgress: () => (paused ? Date.now() : last) };
}

/**
 * The stream ends right after the exit in practice; the bound only guards against an engine
 * that keeps it open, which would otherwise hang the job forever.
 */
export async function drain(stream: Readable, delivered: Delivery, output: JobOutput): Promise<void> {
  let late = false;
  let ended = false;
  void delivered.done.then(() => {
    ended = true;
  });
  for (;;) {
    const idle = Date.now() - delivered.lastProgress();
    if (idle >= DRAIN_LIMIT_MS) {
      late = true;
      break;
    }
    let timer: NodeJS.Timeout | undefined;
    const tick = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, Math.min(DRAIN_LIMIT_MS - idle, 250));
    });
    await Promise.race([delivered.done, tick]);
    clearTimeout(timer);
    if (ended) break;
  }
  if (late) {
    stream.destroy();
    const seconds = DRAIN_LIMIT_MS / 1000;
    writeSystemLine(
      output,
      'job.output_lost',
      { seconds },
      `the job's output did not end within ${seconds} s of its exit; the rest is lost`,
    );
  }
}

/** On abort: SIGTERM, SIGKILL after the grace period (the engine's stop does both). */
export function stopOnAbort(
  container: Dockerode.Container,
  graceMs: number,
  signal: AbortSignal,
  output: JobOutput,
): { readonly stopped: boolean; dispose(): void } {
  let stopped = false;
  const stop = (): void => {
    stopped = true;
    container.stop({ t: Math.ceil(graceMs / 1000) }).catch((err: unknown) => {
      // 304: it had already exited, which is what we wanted.
      if (statusOf(err) !== 304)
        writeSystemLine(
          output,
          'job.stop_failed',
          { detail: engineMessage(err) },
          describeError('stopping the job container', err),
        );
    });
  };
  if (signal.aborted) stop();
  else signal.addEventListener('abort', stop, { once: true });
  return {
    get stopped() {
      return stopped;
    },
    dispose: () => signal.removeEventListener('abort', stop),
  };
}
