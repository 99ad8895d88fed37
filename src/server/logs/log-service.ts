import { type Kysely, sql } from 'kysely';
import type { LogLine, LogStream } from '../../domain/log-line.js';
import { unavailable } from '../errors.js';
import type { LogService } from '../services.js';
import type { Database } from '../store/tables.js';
import { enterAttempt, type PlacedLogState, stateFromTotals } from './log-attempts.js';
import { applyLogCap, uniqueByNumber } from './log-cap.js';
import { LruMap } from './lru-map.js';

/** Jobs whose byte counters stay in memory; others are re-read from the database when needed. */
const TRACKED_JOBS = 4096;
/**
 * Batches of one job waiting to be written, beyond which a new one is refused as `unavailable`
 * (503: the agent's transport retries it later). An agent sends one batch at a time, so only a
 * misbehaving sender reaches this; without it, its batches would pile up in memory here.
 */
const MAX_QUEUED_BATCHES = 8;

type Subscriber = (lines: LogLine[]) => void;
/**
 * A line as stored inside a chunk: compact, and cheap to parse back. A coded system line adds
 * its code and params (domain/system-line-codes.ts); chunks written before codes existed have
 * four elements and read back as uncoded lines.
 */
type StoredLine =
  | [n: number, t: number, stream: LogStream, text: string]
  | [
      n: number,
      t: number,
      stream: LogStream,
      text: string,
      code: string,
      params: Record<string, string | number>,
    ];

/**
 * Numbered log lines per job, stored as chunks (one row per appended batch). `append` is
 * idempotent per line number (a retried batch adds nothing twice), caps each attempt's text at
 * `maxBytes`, places a re-queued run's later attempt after the earlier ones (log-attempts.ts),
 * and tells live subscribers after the lines are committed. Appends to one job are serialized
 * (at most MAX_QUEUED_BATCHES waiting); different jobs proceed independently.
 *
 * Subscribers are called synchronously with each committed batch and must not queue batches
 * without bound: the SSE writer drops live batches while its socket is full and re-reads
 * from the database instead (see log-stream.ts).
 */
export class DbLogService implements LogService {
  private readonly states = new LruMap<string, PlacedLogState>(TRACKED_JOBS);
  private readonly tails = new Map<string, { tail: Promise<void>; queued: number }>();
  private readonly subscribers = new Map<string, Set<Subscriber>>();

  constructor(readonly deps: { db: Kysely<Database>; maxBytes: number }) {}

  append(runId: string, job: string, lines: LogLine[], attempt = 1): Promise<void> {
    const key = keyOf(runId, job);
    const queue = this.tails.get(key) ?? { tail: Promise.resolve(), queued: 0 };
    if (queue.queued >= MAX_QUEUED_BATCHES) {
      return Promise.reject(
        unavailable(`too many log batches of job "${job}" waiting to be stored; send later`),
      );
    }
    // Chain behind the previous append of this job; a failed one does not block the next.
    const current = queue.tail.catch(() => {}).then(() => this.appendNow(key, runId, job, lines, attempt));
    queue.tail = current;
    queue.queued++;
    this.tails.set(key, queue);
    const cleanup = () => {
      queue.queued--;
      if (queue.queued === 0 && this.tails.get(key) === queue) this.tails.delete(key);
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
        for (const [n, t, stream, text, code, params] of JSON.parse(chunk.lines) as StoredLine[]) {
          if (n <= after || out.length >= limit) continue;
          out.push(code === undefined ? { n, t, stream, text } : { n, t, stream, text, code, params });
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

  private async appendNow(
    key: string,
    runId: string,
    job: string,
    lines: LogLine[],
    attempt: number,
  ): Promise<void> {
    // One batch is parsed, capped, encoded and inserted without a pause; letting other work
    // (another run's live lines, requests) in between batches keeps a flooding job from
    // holding the event loop for batch after batch.
    await new Promise((resolve) => setImmediate(resolve));
    const entered = enterAttempt(await this.stateOf(key, runId, job), attempt, Date.now());
    // An earlier attempt's late lines: its lease is over, its place in the log is closed.
    if (!entered) return;
    const { state, marker } = entered;
    // Lines arrive in order per job (the agent's reporter sends batches one after another and
    // retries a batch whole): numbers at or below the last stored one are a retry's repeats.
    // An attempt's agent numbers from 1; its lines are placed after the earlier attempts'.
    const fresh = uniqueByNumber(lines)
      .map((l) => (state.offset > 0 ? { ...l, n: l.n + state.offset } : l))
      .filter((l) => l.n > state.lastN);
    const capped = applyLogCap(state, fresh, this.deps.maxBytes);
    const keep = marker ? [marker, ...capped.keep] : capped.keep;
    const next: PlacedLogState = { ...state, ...capped.state };
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
        lines: JSON.stringify(keep.map(storedLine)),
        attempt,
      })
      // Guards against a writer this process does not know of (a second server).
      .onConflict((oc) => oc.columns(['run_id', 'job', 'first_n']).doNothing())
      .execute();
    this.states.set(key, next);
    this.notify(key, keep);
  }

  /** The job's counters, from memory or (first append since start, or evicted) the database. */
  private async stateOf(key: string, runId: string, job: string): Promise<PlacedLogState> {
    const known = this.states.get(key);
    if (known) return known;
    const rows = await this.deps.db
      .selectFrom('log_chunks')
      .select([
        'attempt',
        sql<number>`max(last_n)`.as('lastN'),
        sql<number>`sum(bytes)`.as('bytes'),
        sql<number>`max(truncated)`.as('truncated'),
      ])
      .where('run_id', '=', runId)
      .where('job', '=', job)
      .groupBy('attempt')
      .execute();
    const state = stateFromTotals(
      rows.map((r) => ({
        attempt: Number(r.attempt ?? 1),
        lastN: Number(r.lastN),
        bytes: Number(r.bytes),
        truncated: Number(r.truncated) === 1,
      })),
    );
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

function storedLine(l: LogLine): StoredLine {
  // Only Slipway's own lines carry codes; a code on job output would be a sender's mistake.
  return l.code === undefined || l.stream !== 'system'
    ? [l.n, l.t, l.stream, l.text]
    : [l.n, l.t, l.stream, l.text, l.code, l.params ?? {}];
}

function keyOf(runId: string, job: string): string {
  return `${runId}\u0000${job}`;
}
