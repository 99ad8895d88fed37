/**
 * Sends what a run reports to the server, in order, without letting a chatty job flood it.
 *
 * Everything goes through one sequential chain of calls, so the server sees a lease's reports
 * in the order they happened. Log lines wait in a buffer per job and leave in batches: every
 * `flushMs`, or as soon as a job has `maxLines` lines (or `maxBytes`) waiting. A batch takes
 * the lines waiting *when it is sent*, so while the server is slow batches grow instead of
 * queueing up. Before a job update is sent, that job's waiting lines are sent: when the server
 * hears that a job ended, it has all of its lines. Lines are never dropped or reordered; the
 * line numbers are the runtime's.
 *
 * Memory is bounded: once `maxBufferedBytes` of lines wait, `ready()` answers with a promise
 * that resolves when half of that is left, and the backend stops reading the job's output
 * until then (JobOutput.ready). The agent never reads output faster than it can ship it.
 *
 * Answers: `{ cancel: true }` calls `onCancel`; LeaseGoneError calls `onGone` and everything
 * still waiting is dropped (the server no longer wants it). Other errors (the transport already
 * retried what it could) are logged and the chain goes on.
 */
import type { LogLine } from '../domain/log-line.js';
import type { JobResultMessage } from '../protocol/agent-protocol.js';
import { type AgentTransport, LeaseGoneError } from '../protocol/agent-transport.js';

export interface ReporterOptions {
  transport: AgentTransport;
  leaseId: string;
  onCancel: () => void;
  onGone: () => void;
  log: (message: string) => void;
  /**
   * Applied to the failure and skip messages of job updates before they are sent: the last
   * door on the agent, for a message that quotes a secret (default: unchanged).
   */
  mask?: (text: string) => string;
  flushMs?: number;
  maxLines?: number;
  /**
   * Characters of text per batch (default 128 Ki). JSON may escape a control character into
   * six, so this keeps a batch under the server's 1 MiB request body limit even then.
   */
  maxBytes?: number;
  /** Lines waiting (all jobs, text + overhead) above which the producers are paused; default 4 MiB. */
  maxBufferedBytes?: number;
}

interface Waiting {
  lines: LogLine[];
  bytes: number;
  /** A send of this job's lines is already in the chain. */
  scheduled: boolean;
}

export class LeaseReporter {
  /** Batches and lines sent, for measurements. */
  readonly sent = { batches: 0, lines: 0, updates: 0 };
  private readonly waiting = new Map<string, Waiting>();
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private gone = false;
  private readonly flushMs: number;
  private readonly maxLines: number;
  private readonly maxBytes: number;
  private readonly maxBuffered: number;
  /** Bytes of all lines waiting, as counted for the batches. */
  private buffered = 0;
  /** Producers paused until the buffer drains to half: resolved then (or when gone). */
  private roomWaiters: (() => void)[] = [];

  constructor(private readonly opts: ReporterOptions) {
    this.flushMs = opts.flushMs ?? 100;
    this.maxLines = opts.maxLines ?? 4000;
    // Large batches amortise the per-batch cost (one transaction, one SSE event); 640 KiB keeps
    // a batch well under the server's 1 MiB body limit once JSON-encoded.
    this.maxBytes = opts.maxBytes ?? 640 * 1024;
    this.maxBuffered = Math.max(opts.maxBufferedBytes ?? 4 * 1024 * 1024, this.maxBytes);
  }

  /** Bytes of lines waiting to be sent (bounded by `maxBufferedBytes` plus one producer's chunk). */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Null while more lines are welcome; else resolves once the buffer has drained to half. */
  ready(): Promise<void> | null {
    if (this.gone || this.buffered < this.maxBuffered) return null;
    // Whatever is waiting must leave now, not at the next tick of the flush timer.
    this.flushAll();
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  line(job: string, line: LogLine): void {
    if (this.gone) return;
    const w = this.waitingOf(job);
    w.lines.push(line);
    const size = line.text.length + 64;
    w.bytes += size;
    this.buffered += size;
    if (w.lines.length >= this.maxLines || w.bytes >= this.maxBytes) this.scheduleLines(job);
    else this.timer ??= setTimeout(() => this.flushAll(), this.flushMs);
  }

  job(update: JobResultMessage): void {
    if (this.gone) return;
    const snapshot = this.masked(update);
    this.enqueue(async () => {
      await this.drain(snapshot.name);
      if (this.gone) return;
      this.answer(await this.opts.transport.jobUpdate(this.opts.leaseId, snapshot));
      this.sent.updates++;
    });
  }

  /** Outside the chain: a heartbeat must not wait behind a slow log batch. */
  async heartbeat(): Promise<void> {
    if (this.gone) return;
    try {
      this.answer(await this.opts.transport.heartbeat(this.opts.leaseId));
    } catch (error) {
      this.failed(error, 'heartbeat');
    }
  }

  /** Sends everything still waiting; resolves when the chain is empty. */
  async close(): Promise<void> {
    this.flushAll();
    await this.chain;
  }

  get isGone(): boolean {
    return this.gone;
  }

  private flushAll(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const [job, w] of this.waiting) if (w.lines.length > 0) this.scheduleLines(job);
  }

  private scheduleLines(job: string): void {
    const w = this.waitingOf(job);
    if (w.scheduled) return;
    w.scheduled = true;
    this.enqueue(async () => {
      w.scheduled = false;
      await this.sendBatch(job);
      // More arrived than one batch holds: the rest goes to the back, so other jobs get a turn.
      if (w.lines.length > 0 && !this.gone) this.scheduleLines(job);
    });
  }

  /** Sends all of a job's waiting lines, batch by batch (before its update). */
  private async drain(job: string): Promise<void> {
    while (!this.gone && (this.waiting.get(job)?.lines.length ?? 0) > 0) await this.sendBatch(job);
  }

  private async sendBatch(job: string): Promise<void> {
    const w = this.waiting.get(job);
    if (!w || w.lines.length === 0 || this.gone) return;
    let count = 0;
    let bytes = 0;
    while (count < w.lines.length && count < this.maxLines && (count === 0 || bytes < this.maxBytes)) {
      bytes += (w.lines[count] as LogLine).text.length + 64;
      count++;
    }
    const lines = w.lines.splice(0, count);
    w.bytes -= bytes;
    this.buffered -= bytes;
    if (this.buffered <= this.maxBuffered / 2) this.wakeProducers();
    this.answer(await this.opts.transport.logs(this.opts.leaseId, { job, lines }));
    this.sent.batches++;
    this.sent.lines += lines.length;
  }

  private enqueue(send: () => Promise<void>): void {
    this.chain = this.chain.then(async () => {
      if (this.gone) return;
      try {
        await send();
      } catch (error) {
        this.failed(error, 'report');
      }
    });
  }

  private answer(answer: { cancel: boolean }): void {
    if (answer.cancel) this.opts.onCancel();
  }

  private failed(error: unknown, what: string): void {
    if (error instanceof LeaseGoneError) {
      if (this.gone) return;
      this.gone = true;
      this.waiting.clear();
      this.buffered = 0;
      this.wakeProducers();
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.opts.onGone();
      return;
    }
    this.opts.log(`${what} to the server failed: ${error instanceof Error ? error.message : String(error)}`);
  }

  private masked(update: JobResultMessage): JobResultMessage {
    const mask = this.opts.mask;
    if (!mask) return { ...update };
    return {
      ...update,
      failure: update.failure && { ...update.failure, message: mask(update.failure.message) },
      skip: update.skip && { ...update.skip, message: mask(update.skip.message) },
    };
  }

  private wakeProducers(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const wake of waiters) wake();
  }

  private waitingOf(job: string): Waiting {
    let w = this.waiting.get(job);
    if (!w) {
      w = { lines: [], bytes: 0, scheduled: false };
      this.waiting.set(job, w);
    }
    return w;
  }
}
