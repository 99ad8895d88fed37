import { type Kysely, sql } from 'kysely';
import type { LogLine, LogStream } from '../../domain/log-line.js';
import type { LogService } from '../services.js';
import type { Database } from '../store/tables.js';
import { applyLogCap, type JobLogState, uniqueByNumber } from './log-cap.js';
import { LruMap } from './lru-map.js';

/** Jobs whose byte counters stay in memory; others are re-read from the database when needed. */
const TRACKED_JOBS = 4096;

type Subscriber = (lines: LogLine[]) => void;
/** A line as stored inside a chunk: compact, and cheap to parse back. */
type StoredLine = [n: number, t: number, stream: LogStream, text: string];

/**
 * Numbered log lines per job, stored as chunks (one row per appended batch). `append` is
 * idempotent per line number (a retried batch adds nothing twice), caps each job's text at
 * `maxBytes`, and tells live subscribers after the lines are committed. Appends to one job are serialized; different
 * jobs proceed independently.
 *
 * Subscribers are called synchronously with each committed batch and must not queue batches
 * without bound: the SSE writer drops live batches while its socket is full and re-reads
 * from the database instead (see log-stream.ts).
 */
export class DbLogService implements LogService {
  private readonly states = new LruMap<string, JobLogState>(TRACKED_JOBS);
  private readonly tails = new Map<string, Promise<void>>();
  private readonly subscribers = new Map<string, Set<Subscriber>>();

  constructor(readonly deps: { db: Kysely<Database>; maxBytes: number }) {}

  append(runId: string, job: string, lines: LogLine[]): Promise<void> {
    const key = keyOf(runId, job);
    // Chain behind the previous append of this job; a failed one does not block the next.
    const previous = this.tails.get(key) ?? Promise.resolve();
    const current = previous.catch(() => {}).then(() => this.appendNow(key, runId, job, lines));
    this.tails.set(key, current);
    const cleanup = () => {
      if (this.tails.get(key) === current) this.tails.delete(key);
    };
    current.then(cleanup, cleanup);
    return current;
  }

  async read(runId: string, job: string, after: number, limit: number): Promise<LogLine[]> {
    const out: LogLine[] = [];
    let from = after;
    // Chunks vary in size: fetch a few at a time until the page is full or the log ends.
    while (out.length < limit) {
      const chunks = await this.deps.db
        .selectFrom('log_chunks')
        .select(['last_n', 'lines'])
        .where('run_id', '=', runId)
        .where('job', '=', job)
        .where('last_n', '>', from)
        .orderBy('first_n')
        .limit(8)
        .execute();
      if (chunks.length === 0) break;
      for (const chunk of chunks) {
        for (const [n, t, stream, text] of JSON.parse(chunk.lines) as StoredLine[]) {
          if (n > after && out.length < limit) out.push({ n, t, stream, text });
        }
        from = Number(chunk.last_n);
      }
    }
    return out;
  }

  subscribe(runId: string, job: string, onLines: Subscriber): () => void {
    const key = keyOf(runId, job);
    let set = this.subscribers.get(key);
    if (!set) {
      set = new Set();
      this.subscribers.set(key, set);
    }
    set.add(onLines);
    return () => {
      const current = this.subscribers.get(key);
      current?.delete(onLines);
      if (current?.size === 0) this.subscribers.delete(key);
    };
  }

  private async appendNow(key: string, runId: string, job: string, lines: LogLine[]): Promise<void> {
    const state = await this.stateOf(key, runId, job);
    // Lines arrive in order per job (the agent's reporter sends batches one after another and
    // retries a batch whole): numbers at or below the last stored one are a retry's repeats.
    const fresh = uniqueByNumber(lines).filter((l) => l.n > state.lastN);
    const { keep, state: next } = applyLogCap(state, fresh, this.deps.maxBytes);
    const first = keep[0];
    const last = keep.at(-1);
    if (!first || !last) return;
    await this.deps.db
      .insertInto('log_chunks')
      .values({
        run_id: runId,
        job,
        first_n: first.n,
        last_n: last.n,
        bytes: next.bytes - state.bytes,
        truncated: next.truncated && !state.truncated ? 1 : 0,
        lines: JSON.stringify(keep.map((l): StoredLine => [l.n, l.t, l.stream, l.text])),
      })
      // Guards against a writer this process does not know of (a second server).
      .onConflict((oc) => oc.columns(['run_id', 'job', 'first_n']).doNothing())
      .execute();
    this.states.set(key, next);
    this.notify(key, keep);
  }

  /** The job's counters, from memory or (first append since start, or evicted) the database. */
  private async stateOf(key: string, runId: string, job: string): Promise<JobLogState> {
    const known = this.states.get(key);
    if (known) return known;
    const row = await this.deps.db
      .selectFrom('log_chunks')
      .select([
        sql<number>`coalesce(max(last_n), 0)`.as('lastN'),
        sql<number>`coalesce(sum(bytes), 0)`.as('bytes'),
        sql<number>`coalesce(max(truncated), 0)`.as('truncated'),
      ])
      .where('run_id', '=', runId)
      .where('job', '=', job)
      .executeTakeFirstOrThrow();
    const state = {
      lastN: Number(row.lastN),
      bytes: Number(row.bytes),
      truncated: Number(row.truncated) === 1,
    };
    this.states.set(key, state);
    return state;
  }

  private notify(key: string, lines: LogLine[]): void {
    const set = this.subscribers.get(key);
    if (!set) return;
    for (const subscriber of [...set]) {
      try {
        subscriber(lines);
      } catch {
        // A subscriber's failure (a closed socket) is its own; the lines are stored.
      }
    }
  }
}

function keyOf(runId: string, job: string): string {
  return `${runId}\u0000${job}`;
}
