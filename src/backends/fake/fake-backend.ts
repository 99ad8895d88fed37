import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract, pack } from 'tar-stream';
import type { Backend, JobOutcome, JobOutput, JobSpec, RunSetup } from '../backend.js';

/**
 * An in-memory backend that interprets a tiny subset of shell, so scenario tests can drive the
 * whole runtime in milliseconds. It is a test double *in addition* to the Docker backend, which
 * has its own tests against the real engine.
 *
 * Understood lines: `echo TEXT` (`>&2` for stderr), `exit N`, `sleep SECONDS`, `touch FILE`,
 * `cat FILE` (fails when the file was never touched in this run), `printenv NAME`.
 * Anything else "succeeds" silently. An image whose name starts with `missing` is not found.
 */
export class FakeBackend implements Backend {
  readonly name = 'fake';
  /** Start/end of every job, for tests about overlap and order. */
  readonly timeline: { job: string; start: number; end: number }[] = [];
  readonly destroyed: string[] = [];
  private readonly files = new Map<string, Set<string>>();

  async probe() {
    return { ok: true as const };
  }

  async setupRun(run: RunSetup): Promise<void> {
    this.files.set(run.runId, new Set(run.source.kind === 'directory' ? run.source.files : []));
  }

  async runJob(job: JobSpec, output: JobOutput, signal: AbortSignal): Promise<JobOutcome> {
    if (job.image.startsWith('missing')) {
      return { kind: 'image_not_found', image: job.image, message: `image "${job.image}" not found (fake)` };
    }
    const start = performance.now();
    try {
      return await this.interpret(job, output, signal);
    } finally {
      this.timeline.push({ job: job.name, start, end: performance.now() });
    }
  }

  async destroyRun(runId: string): Promise<void> {
    this.files.delete(runId);
    this.destroyed.push(runId);
  }

  /** Touched files under `dir`, as empty files in a tar named relative to `dir`. */
  async readWorkspace(runId: string, dir: string): Promise<Readable | null> {
    const files = this.files.get(runId);
    if (!files) throw new Error(`run ${runId} was not set up on the fake backend`);
    const prefix = dir === '.' || dir === '' ? '' : `${dir.replace(/\/+$/, '')}/`;
    const names = [...files].filter((f) => f.startsWith(prefix)).sort();
    if (prefix !== '' && names.length === 0) return null;
    const out = pack();
    for (const name of names) out.entry({ name: name.slice(prefix.length), size: 0 }, '');
    out.finalize();
    return out as unknown as Readable;
  }

  /** Remembers the archive's files as touched. */
  async writeWorkspace(runId: string, tar: Readable): Promise<void> {
    const files = this.files.get(runId);
    if (!files) throw new Error(`run ${runId} was not set up on the fake backend`);
    const ex = extract();
    ex.on('entry', (header, stream, next) => {
      if (header.type === 'file') files.add(header.name.replace(/^\.\//, ''));
      stream.on('end', () => next());
      stream.resume();
    });
    await pipeline(tar, ex);
  }

  /** Nothing of a fake run outlives it. */
  async pruneWorkspaces(): Promise<string[]> {
    return [];
  }

  private async interpret(job: JobSpec, output: JobOutput, signal: AbortSignal): Promise<JobOutcome> {
    const files = this.files.get(job.runId) ?? new Set<string>();
    for (const line of job.commands ?? []) {
      if (signal.aborted) return { kind: 'aborted' };
      const [verb, ...rest] = line.trim().split(/\s+/);
      const arg = rest.join(' ');
      switch (verb) {
        case 'echo': {
          const toErr = arg.endsWith('>&2');
          const text = unquote(toErr ? arg.slice(0, -3).trim() : arg);
          output.write(toErr ? 'stderr' : 'stdout', Buffer.from(`${text}\n`));
          break;
        }
        case 'exit':
          if (Number(arg) !== 0) return { kind: 'exited', exitCode: Number(arg) };
          return { kind: 'exited', exitCode: 0 };
        case 'sleep':
          if (!(await sleep(Number(arg) * 1000, signal))) return { kind: 'aborted' };
          break;
        case 'touch':
          files.add(arg);
          break;
        case 'cat':
          if (!files.has(arg)) {
            output.write('stderr', Buffer.from(`cat: can't open '${arg}': No such file or directory\n`));
            return { kind: 'exited', exitCode: 1 };
          }
          output.write('stdout', Buffer.from(`${arg}\n`));
          break;
        case 'printenv':
          output.write('stdout', Buffer.from(`${job.env[arg] ?? ''}\n`));
          break;
        default:
          break;
      }
    }
    return { kind: 'exited', exitCode: 0 };
  }
}

function unquote(text: string): string {
  const m = /^(['"])(.*)\1$/.exec(text);
  return m ? (m[2] as string) : text;
}

/** Resolves true after `ms`, false as soon as the signal aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
