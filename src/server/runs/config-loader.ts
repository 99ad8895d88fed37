/**
 * loadConfig off the event loop. Parsing is bounded by the YAML budgets, but within them a
 * megabyte of YAML still costs the library seconds of CPU; on the server's thread that would
 * stall every request (the pipeline page, agents' heartbeats) for as long. Texts above a small
 * size go to one worker thread, one at a time; small ones (every ordinary config) are parsed
 * inline, where a round trip to the worker would cost more than the parse.
 *
 * The worker starts on first use, keeps the process alive only while it has work, and is
 * replaced when it dies (out of its capped heap, say); the requests it took down with it fail.
 */
import { Worker } from 'node:worker_threads';
import type { Included } from '../../pipeline/config/include.js';
import { type LoadResult, loadConfig } from '../../pipeline/config/load-config.js';

/** Below this many characters the parse takes a few milliseconds: not worth a thread hop. */
export const INLINE_PARSE_CHARS = 64 * 1024;

/** The YAML budgets keep a parse far below this; it is the backstop if they ever do not. */
export const DEFAULT_WORKER_HEAP_MB = 256;

interface Pending {
  resolve: (result: LoadResult) => void;
  reject: (error: Error) => void;
}

export class ConfigLoader {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(
    private readonly opts: {
      /** Texts up to this length are parsed inline (default INLINE_PARSE_CHARS). */
      inlineChars?: number;
      /** Heap of the worker (MiB); a parse beyond it fails instead of taking the server down. */
      maxHeapMb?: number;
    } = {},
  ) {}

  /** `included`: the files `include:` names, already read (config-includes.ts). */
  load(text: string, file: string, included?: Included): Promise<LoadResult> {
    const size = text.length + (included?.files.reduce((n, f) => n + f.text.length, 0) ?? 0);
    if (size <= (this.opts.inlineChars ?? INLINE_PARSE_CHARS)) {
      return Promise.resolve(loadConfig(text, file, included ? { included } : {}));
    }
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    // Referenced only while it has work: an idle parser never keeps the process alive, and a
    // busy one keeps it alive until the answer arrives.
    if (this.pending.size === 0) worker.ref();
    return new Promise<LoadResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, text, file, included });
    });
  }

  /** Stops the worker; parses still waiting fail. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    this.failAll(new Error('the config loader was closed'));
    await worker?.terminate();
  }

  private start(): Worker {
    const [entry, options] = workerSource();
    const worker = new Worker(entry, {
      ...options,
      resourceLimits: { maxOldGenerationSizeMb: this.opts.maxHeapMb ?? DEFAULT_WORKER_HEAP_MB },
    });
    worker.unref();
    worker.on('message', (message: { id: number; result: LoadResult }) => {
      const waiting = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (this.pending.size === 0) worker.unref();
      waiting?.resolve(message.result);
    });
    const lost = (error: Error) => {
      if (this.worker === worker) this.worker = null;
      this.failAll(error);
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`the config parser thread exited (${code})`)));
    this.worker = worker;
    return worker;
  }

  private failAll(error: Error): void {
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }
}

/**
 * The worker's entry: the compiled config-worker.js next to load-config.js. Run from the
 * TypeScript sources (tests, `tsx`), a worker does not inherit the tsx loader on Node 20, so a
 * small bootstrap registers it first.
 */
function workerSource(): [string | URL, { eval?: boolean }] {
  const fromSources = import.meta.url.endsWith('.ts');
  const entry = new URL(`../../pipeline/config/config-worker.${fromSources ? 'ts' : 'js'}`, import.meta.url);
  if (!fromSources) return [entry, {}];
  // Resolved here, from this file: the eval'd code would resolve from the working directory.
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((tsx) => tsx.register()).then(() => import(${JSON.stringify(entry.href)}))`;
  return [bootstrap, { eval: true }];
}
