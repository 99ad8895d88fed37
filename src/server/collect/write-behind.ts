/**
 * A bounded write-behind buffer: the collect endpoint answers as soon as an event is queued here,
 * and the events are written in batches — one transaction per batch, when `batchSize` events
 * are waiting or `flushMs` after the first one — so thousands of events a second cost tens of
 * transactions, not thousands. It is bounded: when `capacity` events wait (the database cannot
 * keep up), `offer` refuses and the endpoint answers 503, instead of the server's memory growing.
 * `close` stops the timer and writes what is left (server shutdown).
 */
export interface WriteBehindOptions<T> {
  write: (batch: T[]) => Promise<void>;
  capacity: number;
  batchSize?: number;
  flushMs?: number;
  onError: (error: unknown, lost: number) => void;
}

export class WriteBehind<T> {
  private pending: T[] = [];
  private timer: NodeJS.Timeout | null = null;
  /** The batch being written; one at a time keeps SQLite's single writer uncontended. */
  private writing: Promise<void> = Promise.resolve();
  private inFlight = 0;
  private closed = false;
  private readonly batchSize: number;
  private readonly flushMs: number;

  constructor(private readonly options: WriteBehindOptions<T>) {
    this.batchSize = options.batchSize ?? 1000;
    this.flushMs = options.flushMs ?? 100;
  }

  /** Events waiting or being written. */
  get size(): number {
    return this.pending.length + this.inFlight;
  }

  /** Queues one item; false when the buffer is full or closed (the caller answers 503). */
  offer(item: T): boolean {
    if (this.closed || this.size >= this.options.capacity) return false;
    this.pending.push(item);
    if (this.pending.length >= this.batchSize) this.flushSoon(0);
    else this.flushSoon(this.flushMs);
    return true;
  }

  /** Writes everything queued so far; resolves when it is stored (or reported lost). */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.batchSize);
      this.inFlight += batch.length;
      this.writing = this.writing.then(async () => {
        try {
          await this.options.write(batch);
        } catch (error) {
          this.options.onError(error, batch.length);
        } finally {
          this.inFlight -= batch.length;
        }
      });
    }
    return this.writing;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private flushSoon(delayMs: number): void {
    if (delayMs === 0) {
      void this.flush();
      return;
    }
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.flush();
      }, delayMs);
    }
  }
}
