import { type Kysely, sql } from 'kysely';
import type { LogLine, LogStream } from '../../domain/log-line.js';
import type { LogService } from '../services.js';
import type { Database } from '../store/tables.js';
import { applyLogCap, type JobLogState, TRUNCATION_PREFIX, uniqueByNumber } from './log-cap.js';
import { LruMap } from './lru-map.js';

/** Jobs whose byte counters stay in memory; others are re-read from the database when needed. */
const TRACKED_JOBS = 4096;

type Subscriber = (lines: LogLine[]) => void;

/**
 * Numbered log lines per job. `append` is idempotent per line number (a retried batch adds
 * nothing twice and leaves no gap), caps each job's text at `maxBytes`, and tells live
 * subscribers after the lines are committed. Appends to one job are serialized; different
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
    const rows = await this.deps.db
      .selectFrom('log_lines')
      .select(['n', 't', 'stream', 'text'])
      .where('run_id', '=', runId)
      .where('job', '=', job)
      .where('n', '>', after)
      .orderBy('n')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ n: r.n, t: r.t, stream: r.stream as LogStream, text: r.text }));
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
    const incoming = uniqueByNumber(lines);
    const first = incoming[0];
    const last = incoming.at(-1);
    if (!first || !last) return;
    const state = await this.stateOf(key, runId, job);
    const fresh =
      first.n > state.lastN ? incoming : await this.withoutStored(runId, job, incoming, first.n, last.n);
    const { keep, state: next } = applyLogCap(state, fresh, this.deps.maxBytes);
    if (keep.length === 0) return;
    // One statement per batch: the lines travel as one JSON parameter and SQLite unpacks them
    // (json_each), which is several times faster than a many-parameter INSERT. ON CONFLICT also
    // guards against a writer this process does not know of (a second server).
    await sql`INSERT INTO log_lines (run_id, job, n, t, stream, text)
      SELECT ${runId}, ${job}, value ->> 0, value ->> 1, value ->> 2, value ->> 3
      FROM json_each(${JSON.stringify(keep.map((l) => [l.n, l.t, l.stream, l.text]))}) WHERE true
      ON CONFLICT (run_id, job, n) DO NOTHING`.execute(this.deps.db);
    this.states.set(key, next);
    this.notify(key, keep);
  }

  /** A batch overlapping what is stored (a retry): only the numbers not stored yet. */
  private async withoutStored(
    runId: string,
    job: string,
    lines: LogLine[],
    from: number,
    to: number,
  ): Promise<LogLine[]> {
    const stored = await this.deps.db
      .selectFrom('log_lines')
      .select('n')
      .where('run_id', '=', runId)
      .where('job', '=', job)
      .where('n', '>=', from)
      .where('n', '<=', to)
      .execute();
    const have = new Set(stored.map((r) => r.n));
    return lines.filter((l) => !have.has(l.n));
  }

  /** The job's counters, from memory or (first append since start, or evicted) the database. */
  private async stateOf(key: string, runId: string, job: string): Promise<JobLogState> {
    const known = this.states.get(key);
    if (known) return known;
    const row = await this.deps.db
      .selectFrom('log_lines')
      .select([
        sql<number>`coalesce(max(n), 0)`.as('lastN'),
        sql<number>`coalesce(sum(length(cast(text as blob))), 0)`.as('bytes'),
        sql<number>`coalesce(max(stream = 'system' and substr(text, 1, ${TRUNCATION_PREFIX.length}) = ${TRUNCATION_PREFIX}), 0)`.as(
          'truncated',
        ),
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
