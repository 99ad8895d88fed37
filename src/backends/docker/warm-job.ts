/**
 * A job in a warm container (warm-pool.ts): attach, hand it the job (warm-boot.ts), then the
 * same delivery, drain, stop-on-abort and wait as a fresh job container (job-container.ts), so
 * that output, backpressure, cancel, timeouts and exit codes behave identically.
 */
import type { Duplex } from 'node:stream';
import type Dockerode from 'dockerode';
import type { JobOutcome, JobOutput } from '../backend.js';
import { describeError } from './errors.js';
import { deliver, drain, stopOnAbort } from './job-container.js';
import { jobPayload } from './warm-boot.js';

export interface WarmJobSpec {
  script: string;
  env: Record<string, string>;
  graceMs: number;
}

export async function runWarmJob(
  container: Dockerode.Container,
  spec: WarmJobSpec,
  output: JobOutput,
  signal: AbortSignal,
): Promise<JobOutcome> {
  let step = 'attaching to the warm job container';
  try {
    if (signal.aborted) return { kind: 'aborted' };
    // Hijacked: one connection carries the job in (stdin) and its output out. The container
    // has printed nothing yet, so attaching now loses nothing.
    const socket = (await container.attach({
      stream: true,
      stdin: true,
      stdout: true,
      stderr: true,
      hijack: true,
    })) as unknown as Duplex;
    const delivered = deliver(socket, output);
    if (signal.aborted) {
      socket.destroy();
      return { kind: 'aborted' };
    }
    step = 'handing the job to the warm container';
    await new Promise<void>((resolve, reject) =>
      socket.write(jobPayload(spec.script, spec.env), (err) => (err ? reject(err) : resolve())),
    );
    // From here the job's shell is the container's main process: stopping it is a stop.
    const stopper = stopOnAbort(container, spec.graceMs, signal, output);
    try {
      step = 'waiting for the job container';
      const exit = (await container.wait()) as { StatusCode: number };
      await drain(socket, delivered, output);
      if (stopper.stopped) return { kind: 'aborted' };
      return { kind: 'exited', exitCode: exit.StatusCode };
    } finally {
      stopper.dispose();
      socket.destroy();
    }
  } catch (err) {
    return { kind: 'backend_error', message: describeError(step, err) };
  }
}
