/**
 * One job script as a host process. It runs in its own process group so that the job and
 * everything it started can be signalled together, the way a container's processes end with it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { constants } from 'node:os';

export type ProcessEnd =
  | { kind: 'exited'; exitCode: number }
  | { kind: 'aborted' }
  | { kind: 'spawn_failed'; message: string };

export interface HostProcessOptions {
  script: string;
  cwd: string;
  env: Record<string, string>;
  /** Between SIGTERM and SIGKILL when `signal` aborts. */
  graceMs: number;
  signal: AbortSignal;
  onOutput: (stream: 'stdout' | 'stderr', chunk: Buffer) => void;
  /**
   * Backpressure (JobOutput.ready): while it answers with a promise, the pipes are not read, so
   * the job's writes block instead of its output piling up here.
   */
  ready?: () => Promise<void> | null;
}

export interface HostProcess {
  child: ChildProcess;
  /** Settles once the shell has exited and its output is closed; never rejects. */
  ended: Promise<ProcessEnd>;
}

/**
 * How long output may stay open after the shell exited. Only a process that left the group
 * (setsid) can hold it that long; waiting for it forever would hang the run.
 */
const DRAIN_MS = 1000;

export function startHostProcess(options: HostProcessOptions): HostProcess {
  const child = spawn('/bin/sh', ['-c', options.script], {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let paused = 0;
  for (const name of ['stdout', 'stderr'] as const) {
    const pipe = child[name];
    pipe?.on('data', (chunk: Buffer) => {
      options.onOutput(name, chunk);
      const wait = options.ready?.();
      if (!wait) return;
      paused++;
      pipe.pause();
      const resume = () => {
        paused--;
        pipe.resume();
      };
      wait.then(resume, resume);
    });
  }

  const ended = new Promise<ProcessEnd>((resolve) => {
    let aborted = false;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const finish = (end: ProcessEnd) => {
      if (settled) return;
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      resolve(end);
    };
    const onAbort = () => {
      aborted = true;
      signalGroup(child, 'SIGTERM');
      timers.push(setTimeout(() => signalGroup(child, 'SIGKILL'), options.graceMs));
    };

    child.once('error', (error) => {
      // Only a failed spawn leaves no process behind; kill() errors are not reported here.
      if (child.pid === undefined) finish({ kind: 'spawn_failed', message: error.message });
    });
    child.once('exit', () => {
      // Like a container whose main process ended, nothing the job left running survives it
      // (unless an abort is under way, which gives the group its grace period).
      if (!aborted) signalGroup(child, 'SIGKILL');
      // Output left in the pipes while paused for the receiver is still read; only output that
      // stays open with nobody waiting for it is cut off.
      const cutOff = () => {
        if (settled) return;
        if (paused > 0) {
          timers.push(setTimeout(cutOff, DRAIN_MS));
          return;
        }
        child.stdout?.destroy();
        child.stderr?.destroy();
      };
      timers.push(setTimeout(cutOff, aborted ? options.graceMs + DRAIN_MS : DRAIN_MS));
    });
    child.once('close', (code, signal) => {
      // Processes of the group that closed their output may still be alive.
      signalGroup(child, 'SIGKILL');
      if (aborted) finish({ kind: 'aborted' });
      else finish({ kind: 'exited', exitCode: code ?? 128 + (signal ? constants.signals[signal] : 0) });
    });

    if (options.signal.aborted) onAbort();
    else options.signal.addEventListener('abort', onAbort, { once: true });
  });
  return { child, ended };
}

/**
 * Signals the child's whole process group. Called from event handlers, so it never throws: a
 * group that is already gone (ESRCH) is the expected case, and there is nobody to tell otherwise.
 */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Gone already.
  }
}
