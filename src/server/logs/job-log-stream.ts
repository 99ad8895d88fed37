import type { LogLine } from '../../domain/log-line.js';
import type { SseStream } from '../http/sse.js';
import type { LogService } from '../services.js';

/**
 * Lines per SSE event when catching up from the database: about one stored chunk (agents send up
 * to ~4000 lines a batch), so each chunk is read and parsed once, not once per small page.
 */
const BATCH_LINES = 4000;

export interface JobLogStreamOptions {
  logs: LogService;
  runId: string;
  job: string;
  /** The last line number the client has (Last-Event-ID); 0 for all. */
  after: number;
  /** Whether the job has ended, so no line will be added any more. */
  isJobDone: () => Promise<boolean>;
  sse: SseStream;
}

/**
 * One client following one job's log: catch up from the database after the client's last
 * line, then live, then `end` once the job has ended and everything was sent.
 *
 * Each `lines` event carries a batch (`id` = its last line number, what the client sends
 * back as Last-Event-ID to resume without gap or duplicate). Live batches are written straight
 * through while the client keeps up; when the socket is full, writing stops, live batches are
 * ignored, and on `drain` the stream resumes from the database — the database is the buffer,
 * so a slow client never makes the server hold more than one batch for it.
 */
export class JobLogStream {
  private cursor: number;
  private pumping = false;
  private waitingForDrain = false;
  /** Something changed while a pump was running: look again before it goes idle. */
  private dirty = false;
  private stopped = false;
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly opts: JobLogStreamOptions) {
    this.cursor = opts.after;
  }

  start(): void {
    this.unsubscribe = this.opts.logs.subscribe(this.opts.runId, this.opts.job, (lines) =>
      this.onLive(lines),
    );
    this.opts.sse.onClose(() => this.stop());
    this.kick();
  }

  /** New lines may be stored or the job may have ended: catch up (no-op while already doing so). */
  kick(): void {
    if (this.stopped) return;
    if (this.pumping || this.waitingForDrain) {
      this.dirty = true;
      return;
    }
    void this.pump().catch(() => this.opts.sse.close());
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  private onLive(lines: LogLine[]): void {
    const first = lines[0];
    const last = lines.at(-1);
    if (!first || !last || this.stopped) return;
    // Fast path: the batch follows exactly what the client has and nothing else is in flight.
    if (!this.pumping && !this.waitingForDrain && first.n === this.cursor + 1) {
      this.write(lines);
      return;
    }
    this.kick();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (!this.stopped) {
        this.dirty = false;
        const lines = await this.opts.logs.read(this.opts.runId, this.opts.job, this.cursor, BATCH_LINES);
        if (this.stopped) return;
        if (lines.length > 0) {
          if (!this.write(lines)) return;
          continue;
        }
        if (await this.opts.isJobDone()) {
          // Lines stored between our read and the status check still go out before `end`.
          const late = await this.opts.logs.read(this.opts.runId, this.opts.job, this.cursor, 1);
          if (late.length > 0) continue;
          if (!this.stopped) this.opts.sse.send('end', '{}');
          this.stop();
          this.opts.sse.close();
          return;
        }
        if (!this.dirty) return;
      }
    } finally {
      this.pumping = false;
    }
  }

  /** Sends one batch; false when the socket is full (then waits for drain and resumes from the DB). */
  private write(lines: LogLine[]): boolean {
    const last = lines.at(-1) as LogLine;
    this.cursor = last.n;
    if (this.opts.sse.send('lines', JSON.stringify(lines), String(last.n))) return true;
    this.waitingForDrain = true;
    this.opts.sse.onDrain(() => {
      this.waitingForDrain = false;
      this.kick();
    });
    return false;
  }
}
