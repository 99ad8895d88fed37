/**
 * loadConfig off the event loop. Parsing is bounded by the YAML budgets, but within them a
 * megabyte of YAML still costs the library seconds of CPU; on the server's thread that would
 * stall every request (the pipeline page, agents' heartbeats) for as long. Texts above a small
 * size go to one worker thread, one at a time; small ones (every ordinary config) are parsed
 * inline, where a round trip to the worker would cost more than the parse.
 *
 * The worker starts on first use, is unref'd (it never keeps the process alive) and is
 * replaced when it dies; a request it took down with it fails like any other parse error.
 */
import { Worker } from 'node:worker_threads';
import { type LoadResult, loadConfig } from '../../pipeline/config/load-config.js';

/** Below this many characters the parse takes a few milliseconds: not worth a thread hop. */
export const INLINE_PARSE_CHARS = 64 * 1024;

interface Pending {
  resolve: (result: LoadResult) => void;
  reject: (error: Error) => void;
}

export class ConfigLoader {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(private readonly opts: { inlineChars?: number } = {}) {}

  load(text: string, file: string): Promise<LoadResult> {
    if (text.length <= (this.opts.inlineChars ?? INLINE_PARSE_CHARS)) {
      return Promise.resolve(loadConfig(text, file));
    }
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise<LoadResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, text, file });
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
    const worker = new Worker(...workerSource());
    worker.unref();
    worker.on('message', (message: { id: number; result: LoadResult }) => {
      const waiting = this.pending.get(message.id);
      this.pending.delete(message.id);
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
function workerSource(): ConstructorParameters<typeof Worker> {
  const fromSources = import.meta.url.endsWith('.ts');
  const entry = new URL(`../../pipeline/config/config-worker.${fromSources ? 'ts' : 'js'}`, import.meta.url);
  if (!fromSources) return [entry];
  // Resolved here, from this file: the eval'd code would resolve from the working directory.
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((tsx) => tsx.register()).then(() => import(${JSON.stringify(entry.href)}))`;
  return [bootstrap, { eval: true }];
}
