import type { LogLine } from '../../domain/log-line.js';
import type { JobLogState } from './log-cap.js';

/**
 * Where a later attempt's lines go. A run re-queued after its agent was lost runs again on
 * another agent, which numbers the job's lines from 1 again. Those lines are not repeats: they
 * are placed after everything the earlier attempts stored, behind one system line saying a new
 * attempt starts. The job keeps one gap-free numbering, so live streams (Last-Event-ID), pages
 * and downloads show every attempt in order, and nothing is mistaken for a retried batch.
 */

/** Stored line counts of one job, per attempt: what `placementOf` needs after a restart. */
export interface AttemptTotals {
  attempt: number;
  lastN: number;
  bytes: number;
  truncated: boolean;
}

/** What the server keeps per job: the cap counters of the current attempt, and its placement. */
export interface PlacedLogState extends JobLogState {
  /** The attempt whose lines are being stored. */
  attempt: number;
  /** Added to the agent's line numbers of this attempt (earlier attempts' lines and the marker). */
  offset: number;
}

export function attemptMarker(attempt: number, t: number, n: number): LogLine {
  return {
    n,
    t,
    stream: 'system',
    text: `[slipway] attempt ${attempt}: the run was re-queued after its agent was lost; this attempt's output follows`,
  };
}

/** The offset of `attempt`'s lines when the earlier attempts stored up to line `before`. */
export function offsetAfter(before: number): number {
  // The marker takes line before + 1; without earlier lines there is nothing to separate.
  return before > 0 ? before + 1 : 0;
}

/** Rebuilds the state of the latest stored attempt from the per-attempt totals. */
export function stateFromTotals(totals: readonly AttemptTotals[]): PlacedLogState {
  const sorted = [...totals].sort((a, b) => a.attempt - b.attempt);
  const current = sorted.at(-1);
  if (!current) return { attempt: 1, offset: 0, lastN: 0, bytes: 0, truncated: false };
  const before = Math.max(0, ...sorted.slice(0, -1).map((t) => t.lastN));
  return {
    attempt: current.attempt,
    offset: current.attempt > 1 ? offsetAfter(before) : 0,
    lastN: current.lastN,
    bytes: current.bytes,
    truncated: current.truncated,
  };
}

/**
 * The state for lines of `attempt`, and the marker to store first when it starts now. A
 * later attempt starts with its own cap (its output is as long as it is); an earlier one's late
 * lines are not wanted (its lease is over): null.
 */
export function enterAttempt(
  state: PlacedLogState,
  attempt: number,
  now: number,
): { state: PlacedLogState; marker: LogLine | null } | null {
  if (attempt < state.attempt) return null;
  if (attempt === state.attempt) return { state, marker: null };
  const offset = offsetAfter(state.lastN);
  const marker = offset > 0 ? attemptMarker(attempt, now, offset) : null;
  return {
    state: { attempt, offset, lastN: Math.max(state.lastN, offset), bytes: 0, truncated: false },
    marker,
  };
}
